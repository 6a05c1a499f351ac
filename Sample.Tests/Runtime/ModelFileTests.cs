using System;
using System.IO;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cnngen-model-" + Guid.NewGuid().ToString("N"));

    public ModelFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LinearNet Net(ulong seed, int classes = 3)
    {
        var net = new LinearNet(1, 4, 4, classes);
        net.InitializeParameters(seed);
        net.State[0] = 0.125f + seed;
        return net;
    }

    private string SavedModel(out LinearNet net)
    {
        net = Net(1);
        string path = Path.Combine(_dir, "model.cnn");
        ModelFile.Save(path, net);
        return path;
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public void RoundTripRestoresParametersAndState()
    {
        string path = SavedModel(out var saved);
        var loaded = Net(99);
        Assert.NotEqual(saved.Parameters.ToArray(), loaded.Parameters.ToArray());
        var info = ModelFile.Load(path, loaded);
        Assert.Equal(saved.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(saved.State.ToArray(), loaded.State.ToArray());
        Assert.Equal(new ModelFileInfo(ModelFile.FormatVersion, false, "LinearNet", saved.Fingerprint, saved.ParameterCount, 1, 4L * (saved.ParameterCount + 1)), info);
        Assert.Equal(info, ModelFile.ReadInfo(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void A_save_removes_temporaries_of_dead_processes()
    {
        string path = SavedModel(out _);
        string name = Path.GetFileName(path);
        // A process id that cannot be running (above the Linux maximum), and this process's own id (a save in progress).
        string dead = Path.Combine(_dir, $".{name}.2147483646.{Guid.NewGuid():N}.tmp");
        string live = Path.Combine(_dir, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string other = Path.Combine(_dir, $".other.model.2147483646.{Guid.NewGuid():N}.tmp");
        foreach (var f in new[] { dead, live, other }) File.WriteAllBytes(f, new byte[] { 1, 2, 3 });
        ModelFile.Save(path, Net(5));
        Assert.False(File.Exists(dead), "the temporary of a dead process stays");
        Assert.True(File.Exists(live), "a temporary of a live process was removed");
        Assert.True(File.Exists(other), "a temporary of another model was removed");
    }

    [Fact]
    public void SavingOverwritesAtomically()
    {
        string path = SavedModel(out _);
        var second = Net(2);
        ModelFile.Save(path, second);
        var loaded = Net(3);
        ModelFile.Load(path, loaded);
        Assert.Equal(second.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void FingerprintMismatchNamesBothFingerprints()
    {
        string path = SavedModel(out var saved);
        var other = Net(1, classes: 4);
        var before = other.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, other));
        Assert.Contains(path, e.Message);
        Assert.Contains($"'{saved.Fingerprint}'", e.Message);
        Assert.Contains($"'{other.Fingerprint}'", e.Message);
        Assert.Equal(before, other.Parameters.ToArray());
    }

    [Fact]
    public void CorruptedPayloadByteIsAChecksumError()
    {
        string path = SavedModel(out _);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^7] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var net = Net(5);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, net));
        Assert.Contains(path, e.Message);
        Assert.Contains("is corrupted: the payload checksum", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void CorruptedHeaderByteIsAChecksumError()
    {
        string path = SavedModel(out _);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[20] ^= 0x01; // inside the network name
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(5)));
        Assert.Contains("is corrupted: the header checksum", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void TruncatedFileIsAnError(int cut)
    {
        string path = SavedModel(out _);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - cut).ToArray());
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(5)));
        Assert.Contains(path, e.Message);
        int payload = 4 * (Net(1).ParameterCount + 1);
        Assert.Contains($"is truncated: the header declares a {payload}-byte payload but only {payload - cut} bytes follow", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAnError()
    {
        string path = SavedModel(out _);
        File.WriteAllBytes(path, File.ReadAllBytes(path).AsSpan(0, 30).ToArray());
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(5)));
        Assert.Contains("is truncated: its header ends after 30 bytes", e.Message);
    }

    [Fact]
    public void ExtendedFileIsAnError()
    {
        string path = SavedModel(out _);
        File.AppendAllText(path, "x");
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(5)));
        Assert.Contains("1 unexpected byte(s) after the", e.Message);
    }

    [Fact]
    public void ForeignFileIsAnError()
    {
        string path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "hello, this is not a model");
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(5)));
        Assert.Contains(path, e.Message);
        Assert.Contains("is not a CnnGen model file", e.Message);

        File.WriteAllBytes(path, []);
        Assert.Contains("is not a CnnGen model file", Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(5))).Message);
        Assert.Contains("cannot be read", Assert.Throws<ModelFileException>(() => ModelFile.Load(Path.Combine(_dir, "missing.cnn"), Net(5))).Message);
    }

    [Fact]
    public void CheckpointRoundTripRestoresOptimizerAndProgress()
    {
        var net = Net(1);
        var adam = new Adam(0.01f);
        for (int i = 0; i < 3; i++)
        {
            net.Gradients.Fill(0.1f * (i + 1));
            adam.Step(net.Parameters, net.Gradients);
        }
        var progress = new TrainingProgress { EpochsCompleted = 3, StepsCompleted = 45, Seed = 7, BatchSize = 16, BestMetric = 0.25, BestEpoch = 2, EpochsWithoutImprovement = 1 };
        string path = Path.Combine(_dir, "run.ckpt");
        ModelFile.SaveCheckpoint(path, net, adam, progress);

        var loaded = Net(9);
        var loadedAdam = new Adam(0.01f);
        var loadedProgress = ModelFile.LoadCheckpoint(path, loaded, loadedAdam);
        Assert.Equal(progress, loadedProgress);
        Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(net.State.ToArray(), loaded.State.ToArray());
        var a = adam.ExportState();
        var b = loadedAdam.ExportState();
        Assert.Equal(a.StepCount, b.StepCount);
        Assert.Equal(a.Buffers, b.Buffers);
        Assert.True(ModelFile.ReadInfo(path).IsCheckpoint);

        // A checkpoint also loads as a plain model.
        var plain = Net(10);
        ModelFile.Load(path, plain);
        Assert.Equal(net.Parameters.ToArray(), plain.Parameters.ToArray());

        // Wrong optimizer kind: a clear error and nothing changed.
        var other = Net(11);
        var before = other.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadCheckpoint(path, other, new Sgd(0.1f)));
        Assert.Contains("holds 'Adam' optimizer state but the trainer uses a 'Sgd' optimizer", e.Message);
        Assert.Equal(before, other.Parameters.ToArray());
    }

    [Fact]
    public void ModelFileIsNotACheckpoint()
    {
        string path = SavedModel(out _);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.LoadCheckpoint(path, Net(2), new Sgd(0.1f)));
        Assert.Contains("not a checkpoint", e.Message);
    }

    private static ModelMetadata SomeMetadata() => new(
    [
        new("normalization.mean", "0.286"),
        new("classes", "[\"T-shirt/top\",\"Ankle boot\"]"),
        new("data", "Data: Fashion-MNIST \u00e9 (verified)"),
        new("empty", ""),
    ]);

    [Fact]
    public void Metadata_round_trips_in_model_files_and_checkpoints_and_is_covered_by_the_header_checksum()
    {
        var net = Net(1);
        string model = Path.Combine(_dir, "meta.model");
        ModelFile.Save(model, net, SomeMetadata());
        var info = ModelFile.Load(model, Net(2));
        Assert.Equal(2, ModelFile.FormatVersion);
        Assert.Equal(SomeMetadata(), info.Metadata);
        Assert.Equal("Data: Fashion-MNIST \u00e9 (verified)", info.Metadata["data"]);
        Assert.Equal(["normalization.mean", "classes", "data", "empty"], info.Metadata.Keys);
        Assert.Equal(info, ModelFile.ReadInfo(model));

        string checkpoint = Path.Combine(_dir, "meta.checkpoint");
        ModelFile.SaveCheckpoint(checkpoint, net, new Adam(0.01f), new TrainingProgress { EpochsCompleted = 1, BatchSize = 8 }, SomeMetadata());
        Assert.Equal(SomeMetadata(), ModelFile.ReadInfo(checkpoint).Metadata);
        Assert.Equal(1, ModelFile.LoadCheckpoint(checkpoint, Net(3), new Adam(0.01f)).EpochsCompleted);

        // Without metadata: an empty section.
        ModelFile.Save(model, net);
        Assert.Empty(ModelFile.ReadInfo(model).Metadata);

        // A flipped bit in a metadata value is caught by the header checksum.
        ModelFile.Save(model, net, SomeMetadata());
        byte[] bytes = File.ReadAllBytes(model);
        int at = bytes.AsSpan().IndexOf("T-shirt"u8);
        bytes[at] ^= 0x20;
        File.WriteAllBytes(model, bytes);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(model, Net(4)));
        Assert.Contains("header checksum", e.Message);
    }

    [Fact]
    public void Metadata_with_an_empty_or_repeated_key_is_refused_when_made()
    {
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new ModelMetadata([new("a", "1"), new("a", "2")])).Message);
        Assert.Contains("non-empty", Assert.Throws<ArgumentException>(() => new ModelMetadata([new("", "1")])).Message);
        Assert.NotEqual(new ModelMetadata([new("a", "1")]), new ModelMetadata([new("a", "2")]));
        Assert.Equal(new ModelMetadata([new("a", "1")]), new ModelMetadata([new("a", "1")]));
    }

    [Fact]
    public void A_file_of_a_newer_version_is_refused_naming_both_versions()
    {
        string path = SavedModel(out _);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[8] = 9; // u16 version after the 8-byte magic
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, Net(2)));
        Assert.Contains("has format version 9; this build reads versions 1 to 2", e.Message);
    }
}

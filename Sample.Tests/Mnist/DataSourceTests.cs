using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Data;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// <see cref="DataSource"/>: what --data reads and how it names it, the known sets, validation splits, --classes, and a
/// <see cref="DataException"/> naming the file for every broken set. Nothing here may touch the MNIST cache.
/// </summary>
public sealed class DataSourceTests : IDisposable
{
    public const string Fashion = "/usr/share/datasets/fashion-mnist";

    private readonly string _root = Directory.CreateTempSubdirectory("cnngen-datasource-").FullName;
    private readonly List<string> _log = [];
    private readonly ITestOutputHelper _output;

    public DataSourceTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string EmptyCache => Path.Combine(_root, "cache");

    /// <summary>Options whose MNIST cache is an empty directory and that have no sources: MNIST cannot be found through them.</summary>
    private DataSourceOptions Options(string? directory) => new()
    {
        Directory = directory,
        Mnist = new MnistLocatorOptions { CacheDirectory = EmptyCache, Sources = [] },
        Log = _log.Add,
    };

    private DataException Refused(DataSourceOptions options)
    {
        var e = Assert.Throws<DataException>(() => DataSource.Load(options));
        _output.WriteLine(e.Message);
        return e;
    }

    private void AssertCacheUntouched() => Assert.False(Directory.Exists(EmptyCache) && Directory.EnumerateFileSystemEntries(EmptyCache).Any());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_foreign_IDX_set_is_read_in_place_and_reported_as_unverified(bool gz)
    {
        string dir = IdxSets.WriteBands(_root, "bands", train: 90, test: 30, gz: gz);

        var data = DataSource.Load(Options(dir));

        Assert.Equal($"Data: IDX set (unverified: no known checksum) from {dir}: IDX, 90 train + 30 test images of 1x28x28, 3 classes", data.Line);
        Assert.False(data.Verified);
        Assert.False(data.IsDigits);
        Assert.Equal("images", data.Noun);
        Assert.Equal(["0", "1", "2"], data.ClassNames);
        Assert.Equal((90, 30), (data.Train.Count, data.Test.Count));
        Assert.Equal(IdxSets.Bands(90, 3, 1).Labels, data.Train.Labels.ToArray());
        var (mean, std) = data.Train.ComputeMeanStd();
        Assert.Equal((float)mean, data.Mean);
        Assert.Equal((float)std, data.Std);
        Assert.StartsWith("computed on the 90 training images", data.NormalizationSource);
        AssertCacheUntouched();
    }

    [Fact]
    public void Fashion_MNIST_gz_is_recognized_by_the_SHA256_of_its_uncompressed_files()
    {
        Assert.True(Directory.Exists(Fashion), $"{Fashion} is missing: install Debian's dataset-fashion-mnist (CI does)");

        var data = DataSource.Load(Options(Fashion));

        Assert.Equal("Data: Fashion-MNIST (verified: SHA-256 of all 4 files) from /usr/share/datasets/fashion-mnist: " +
                     "IDX, 60,000 train + 10,000 test images of 1x28x28, 10 classes", data.Line);
        Assert.True(data.Verified);
        Assert.Equal(KnownDataset.FashionMnist.ClassNames, data.ClassNames);
        Assert.Equal("Ankle boot", data.ClassNames[data.Test.Label(0)]);
        Assert.Equal((0.2860f, 0.3530f), (data.Mean, data.Std));
        Assert.Empty(_log);
        AssertCacheUntouched();
    }

    [Fact]
    public void MNIST_in_a_data_directory_is_recognized_and_read_in_place()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_root, "mnist")).FullName;
        foreach (string file in new[] { RealMnist.Location.TrainImages, RealMnist.Location.TrainLabels, RealMnist.Location.TestImages, RealMnist.Location.TestLabels })
            File.CreateSymbolicLink(Path.Combine(dir, Path.GetFileName(file)), file);

        var data = DataSource.Load(Options(dir) with { TestOnly = true });

        Assert.Equal($"Data: MNIST (verified: SHA-256 of the 2 test files) from {dir}: IDX, 10,000 test images of 1x28x28, 10 classes", data.Line);
        Assert.True(data.IsDigits);
        Assert.Equal("digits", data.Noun);
        Assert.Equal((0.1307f, 0.3081f), (data.Mean, data.Std));
        AssertCacheUntouched();
    }

    [Fact]
    public void A_set_that_partly_matches_a_known_one_is_accepted_with_a_warning_naming_both_hashes()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_root, "almost-fashion")).FullName;
        foreach (string name in new[] { IdxSets.TrainImages, IdxSets.TrainLabels, IdxSets.TestImages })
            File.CreateSymbolicLink(Path.Combine(dir, name + ".gz"), Path.Combine(Fashion, name + ".gz"));
        byte[] labels = IdxReader.ReadLabels(Path.Combine(Fashion, IdxSets.TestLabels + ".gz"));
        labels[0] = (byte)((labels[0] + 1) % 10);
        IdxSets.Write(dir, IdxSets.TestLabels, [labels.Length], labels);

        var data = DataSource.Load(Options(dir) with { TestOnly = true });

        Assert.False(data.Verified);
        Assert.StartsWith("Data: IDX set resembling Fashion-MNIST (NOT verified: 1 of 2 files match Fashion-MNIST's SHA-256)", data.Line);
        string warning = Assert.Single(_log);
        Assert.StartsWith("warning: ", warning);
        Assert.Contains(KnownDataset.FashionMnist.File(IdxRole.TestLabels).Sha256, warning);
        Assert.Contains(Path.Combine(dir, IdxSets.TestLabels), warning);
        Assert.DoesNotContain(KnownDataset.FashionMnist.File(IdxRole.TestImages).Sha256, warning);
        // Its class names are the known set's, but its statistics are its own.
        Assert.Equal(KnownDataset.FashionMnist.ClassNames, data.ClassNames);
        Assert.StartsWith("computed on the 10,000 test images", data.NormalizationSource);
    }

    [Fact]
    public void Four_dimensional_sets_with_one_or_three_channels_first_or_last_are_read_as_channels_height_width()
    {
        // 4 images of 3 x 2 x 5: channel-first as stored, and the same pixels channel-last
        var planar = new byte[4 * 3 * 2 * 5];
        for (int i = 0; i < planar.Length; i++) planar[i] = (byte)i;
        var interleaved = new byte[planar.Length];
        for (int n = 0; n < 4; n++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 10; p++)
                    interleaved[n * 30 + p * 3 + c] = planar[n * 30 + c * 10 + p];
        byte[] labels = [0, 1, 2, 1];
        foreach (var (name, sizes, pixels) in new[] { ("first", new[] { 4, 3, 2, 5 }, planar), ("last", new[] { 4, 2, 5, 3 }, interleaved) })
        {
            string dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
            IdxSets.Write(dir, "train-images-idx4-ubyte", sizes, pixels);
            IdxSets.Write(dir, IdxSets.TrainLabels, [4], labels);
            IdxSets.Write(dir, "t10k-images-idx4-ubyte", sizes, pixels);
            IdxSets.Write(dir, IdxSets.TestLabels, [4], labels);
            var data = DataSource.Load(Options(dir));
            Assert.Equal((3, 2, 5), (data.Train.Channels, data.Train.Height, data.Train.Width));
            Assert.Equal(planar.AsSpan(30, 30).ToArray(), data.Test.Pixels(1).ToArray());
            Assert.EndsWith("4 train + 4 test images of 3x2x5, 3 classes", data.Line);
        }

        // n x 3 x 4 x 3 could be either: it is read channel-first, as documented; n x 2 x 4 x 2 is neither.
        string both = Directory.CreateDirectory(Path.Combine(_root, "both")).FullName;
        IdxSets.Write(both, "train-images-idx4-ubyte", [1, 3, 4, 3], new byte[36]);
        IdxSets.Write(both, IdxSets.TrainLabels, [1], [0]);
        IdxSets.Write(both, "t10k-images-idx4-ubyte", [1, 2, 4, 2], new byte[16]);
        IdxSets.Write(both, IdxSets.TestLabels, [1], [0]);
        var e = Refused(Options(both));
        Assert.Contains("t10k-images-idx4-ubyte", e.Message);
        Assert.Contains("neither its second dimension", e.Message);
        IdxSets.Write(both, "t10k-images-idx4-ubyte", [1, 3, 4, 3], new byte[36]);
        Assert.Equal((3, 4, 3), (DataSource.Load(Options(both)).Test.Channels, DataSource.Load(Options(both)).Test.Height, DataSource.Load(Options(both)).Test.Width));
    }

    [Fact]
    public void Any_image_size_is_read_and_a_size_the_network_does_not_take_is_an_error_naming_the_files_and_shapes()
    {
        string dir = IdxSets.WriteBands(_root, "small", train: 30, test: 9, size: 16);
        var data = DataSource.Load(Options(dir));
        Assert.EndsWith("30 train + 9 test images of 1x16x16, 3 classes", data.Line);

        var e = Assert.Throws<DataException>(() => DataSource.CheckFits(data, App.CreateLeNet5()));
        Assert.Equal($"--data: train-images-idx3-ubyte and t10k-images-idx3-ubyte in {dir} hold images of 1x16x16 " +
                     "(channels x height x width); network LeNet5 takes 1x28x28.", e.Message);
    }

    [Fact]
    public void More_classes_than_the_network_has_outputs_is_an_error_naming_the_label_files()
    {
        string dir = IdxSets.WriteBands(_root, "twelve", train: 24, test: 12, classes: 12);
        var data = DataSource.Load(Options(dir));
        Assert.Equal(12, data.ClassNames.Count);
        var e = Assert.Throws<DataException>(() => DataSource.CheckFits(data, App.CreateLeNet5()));
        Assert.Equal("--data: train-labels-idx1-ubyte and t10k-labels-idx1-ubyte hold labels 0..11 (12 classes); network LeNet5 has 10 outputs.", e.Message);
    }

    [Fact]
    public void A_classes_file_names_the_classes_and_a_wrong_one_is_an_error_naming_it()
    {
        string dir = IdxSets.WriteBands(_root, "named", train: 30, test: 9);
        string classes = Path.Combine(_root, "classes.txt");
        File.WriteAllText(classes, "stripe top\nstripe middle\nstripe bottom\n\n");
        Assert.Equal(["stripe top", "stripe middle", "stripe bottom"], DataSource.Load(Options(dir) with { ClassesFile = classes }).ClassNames);
        // more names than labels seen is fine for an unknown set (a class may be absent)
        File.WriteAllText(classes, "a\nb\nc\nd\n");
        Assert.Equal(4, DataSource.Load(Options(dir) with { ClassesFile = classes }).ClassNames.Count);

        File.WriteAllText(classes, "a\nb\n");
        var e = Refused(Options(dir) with { ClassesFile = classes });
        Assert.Equal($"--classes {classes}: lists 2 class names (labels 0..1) but {Path.Combine(dir, IdxSets.TrainLabels)} holds label 2.", e.Message);
        File.WriteAllText(classes, "a\n\nc\n");
        Assert.Equal($"--classes {classes}: line 2 is empty; every class needs a name.", Refused(Options(dir) with { ClassesFile = classes }).Message);
        File.WriteAllText(classes, "a\nb\na\n");
        Assert.Contains("'a' is on line 1 and line 3", Refused(Options(dir) with { ClassesFile = classes }).Message);
        File.WriteAllText(classes, "\n\n");
        Assert.Contains($"--classes {classes} is empty", Refused(Options(dir) with { ClassesFile = classes }).Message);
        Assert.Contains("file does not exist", Refused(Options(dir) with { ClassesFile = Path.Combine(_root, "none.txt") }).Message);

        // a known set has exactly its number of classes
        File.WriteAllText(classes, "a\nb\nc\n");
        var known = Refused(Options(Fashion) with { ClassesFile = classes, TestOnly = true });
        Assert.Equal($"--classes {classes}: lists 3 class names; Fashion-MNIST has 10 classes.", known.Message);
    }

    [Fact]
    public void Validation_is_a_seeded_split_of_the_training_set_removed_from_training()
    {
        // the first pixel of training image i is i, so each image can be traced
        string dir = Directory.CreateDirectory(Path.Combine(_root, "traced")).FullName;
        var pixels = new byte[200 * 4];
        for (int i = 0; i < 200; i++) pixels[i * 4] = (byte)i;
        var labels = Enumerable.Range(0, 200).Select(i => (byte)(i % 2)).ToArray();
        IdxSets.Write(dir, IdxSets.TrainImages, [200, 2, 2], pixels);
        IdxSets.Write(dir, IdxSets.TrainLabels, [200], labels);
        IdxSets.Write(dir, IdxSets.TestImages, [10, 2, 2], new byte[40]);
        IdxSets.Write(dir, IdxSets.TestLabels, [10], new byte[10]);

        int[] Ids(ImageDataset d) => [.. Enumerable.Range(0, d.Count).Select(i => (int)d.Pixels(i)[0])];
        var a = DataSource.Load(Options(dir) with { Validation = 50, Seed = 7 });
        var b = DataSource.Load(Options(dir) with { Validation = 50, Seed = 7 });
        var c = DataSource.Load(Options(dir) with { Validation = 50, Seed = 8 });

        Assert.Equal((150, 50), (a.Train.Count, a.Validation!.Count));
        Assert.Equal(Ids(a.Validation), Ids(b.Validation!));
        Assert.NotEqual(Ids(a.Validation), Ids(c.Validation!));
        Assert.Empty(Ids(a.Train).Intersect(Ids(a.Validation)));
        Assert.Equal(Enumerable.Range(0, 200), Ids(a.Train).Concat(Ids(a.Validation)).Order());
        Assert.Equal(Ids(a.Train).Order(), Ids(a.Train)); // training keeps the file's order
        Assert.Equal(Ids(a.Train).Select(i => (byte)(i % 2)), a.Train.Labels.ToArray());
        Assert.Contains("150 train + 50 validation + 10 test images", a.Line);
        Assert.Equal((float)a.Train.ComputeMeanStd().Mean, a.Mean); // statistics of what is trained on

        Assert.Contains("--validation 200: the training set has only 200 images", Refused(Options(dir) with { Validation = 200 }).Message);
    }

    [Fact]
    public void Broken_sets_are_refused_naming_the_file_and_the_problem()
    {
        string Set(string name) => IdxSets.WriteBands(_root, name, train: 30, test: 9);

        string truncated = Set("truncated");
        byte[] bytes = File.ReadAllBytes(Path.Combine(truncated, IdxSets.TrainImages));
        File.WriteAllBytes(Path.Combine(truncated, IdxSets.TrainImages), bytes[..^100]);
        var e = Refused(Options(truncated));
        Assert.Contains(Path.Combine(truncated, IdxSets.TrainImages), e.Message);
        Assert.Contains("truncated", e.Message);

        string truncatedGz = IdxSets.WriteBands(_root, "truncated-gz", train: 30, test: 9, gz: true);
        bytes = File.ReadAllBytes(Path.Combine(truncatedGz, IdxSets.TestImages + ".gz"));
        File.WriteAllBytes(Path.Combine(truncatedGz, IdxSets.TestImages + ".gz"), bytes[..(bytes.Length / 2)]);
        e = Refused(Options(truncatedGz));
        Assert.Contains(IdxSets.TestImages + ".gz", e.Message);

        string counts = Set("counts");
        IdxSets.Write(counts, IdxSets.TestLabels, [8], new byte[8]);
        e = Refused(Options(counts));
        Assert.Contains(Path.Combine(counts, IdxSets.TestLabels), e.Message);
        Assert.Contains("holds 8 labels but the image file", e.Message);
        Assert.Contains("holds 9 images", e.Message);

        string mixed = Set("mixed");
        IdxSets.Write(mixed, IdxSets.TestImages, [9, 27, 28], new byte[9 * 27 * 28]);
        e = Refused(Options(mixed));
        Assert.Equal($"--data: {Path.Combine(mixed, IdxSets.TrainImages)} holds images of 1x28x28 but {Path.Combine(mixed, IdxSets.TestImages)} " +
                     "holds 1x27x28; both splits must have one image size.", e.Message);

        string notLabels = Set("not-labels");
        IdxSets.Write(notLabels, IdxSets.TrainLabels, [30, 1], new byte[30]);
        Assert.Contains("expected a label file", Refused(Options(notLabels)).Message);

        string incomplete = Set("incomplete");
        File.Delete(Path.Combine(incomplete, IdxSets.TestImages));
        e = Refused(Options(incomplete));
        Assert.Contains($"--data {incomplete}: an incomplete IDX set: no test images file", e.Message);

        string twice = Set("twice");
        File.Copy(Path.Combine(twice, IdxSets.TrainImages), Path.Combine(twice, "emnist-train-images-idx3-ubyte"));
        Assert.Contains("more than one train images file", Refused(Options(twice)).Message);

        string empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Assert.StartsWith($"--data {empty} is empty", Refused(Options(empty)).Message);

        string other = Directory.CreateDirectory(Path.Combine(_root, "other")).FullName;
        File.WriteAllText(Path.Combine(other, "notes.txt"), "hello");
        Assert.StartsWith($"--data {other} holds neither an IDX set", Refused(Options(other)).Message);

        Assert.Contains("directory does not exist", Refused(Options(Path.Combine(_root, "nowhere"))).Message);
        Assert.Contains("is a file", Refused(Options(Path.Combine(other, "notes.txt"))).Message);

        string idx = Set("idx");
        Assert.Contains("--resize 28x28 applies to image folders", Refused(Options(idx) with { Resize = (28, 28) }).Message);
        Assert.Contains("--grayscale applies to image folders", Refused(Options(idx) with { Grayscale = true }).Message);
        AssertCacheUntouched();
    }

    [Fact]
    public void Plain_and_gz_of_the_same_file_read_the_plain_one_and_say_so()
    {
        string dir = IdxSets.WriteBands(_root, "both-forms", train: 30, test: 9);
        File.WriteAllBytes(Path.Combine(dir, IdxSets.TestLabels + ".gz"), IdxSets.Gzip(File.ReadAllBytes(Path.Combine(dir, IdxSets.TestLabels))));
        var data = DataSource.Load(Options(dir));
        Assert.Equal(9, data.Test.Count);
        Assert.Contains(_log, l => l.Contains($"reading {IdxSets.TestLabels}", StringComparison.Ordinal));
    }
}

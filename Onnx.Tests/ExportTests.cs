using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnGen;
using CnnGen.Data;
using CnnGen.Sample.Mnist;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Training;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>Exported models run in ONNX Runtime give CnnGen's probabilities (within 1e-5) and classes.</summary>
public sealed class ExportTests(ITestOutputHelper output)
{
    /// <summary>Largest absolute difference allowed between a probability of ONNX Runtime and of CnnGen's Infer.</summary>
    public const double Tolerance = 1e-5;

    public static IEnumerable<object[]> Networks() =>
    [
        ["LeNet5", (Func<INetwork>)(() => new LeNet5())],
        ["BnNet", (Func<INetwork>)(() => new BnNet())],
        ["VggNet", (Func<INetwork>)(() => new VggNet())],
        ["ResNet", (Func<INetwork>)(() => new ResNet())],
        ["EveryKindNet", (Func<INetwork>)(() => new EveryKindNet())],
        ["ResidualNet", (Func<INetwork>)(() => new ResidualNet())],
        ["FlatNet", (Func<INetwork>)(() => new FlatNet())],
    ];

    [Theory]
    [MemberData(nameof(Networks))]
    public void An_exported_network_gives_Infers_probabilities_in_ONNX_Runtime_on_random_inputs(string name, Func<INetwork> create)
    {
        var net = create();
        Reference.Randomize(net, seed: 7);
        const int count = 37; // not a multiple of any lane width
        var x = Reference.RandomInputs(net, count, seed: 11);
        byte[] model = OnnxExporter.ToBytes(net);
        var expected = Reference.Infer(net, x, count);
        var actual = Reference.RunOnnx(model, net, x, count);
        double maxdiff = Reference.MaxDiff(expected, actual);
        output.WriteLine($"{name}: {count} random inputs, maxdiff {maxdiff:E2} (tolerance {Tolerance:E0}), model {model.Length:N0} bytes");
        Assert.True(maxdiff <= Tolerance, $"{name}: ONNX Runtime and Infer differ by {maxdiff:E3} > {Tolerance:E0}");
        // the same classes, as a second check that the outputs are not all alike
        for (int i = 0; i < count; i++)
            Assert.Equal(Reference.ArgMax(expected.AsSpan(i * net.OutputSize, net.OutputSize)), Reference.ArgMax(actual.AsSpan(i * net.OutputSize, net.OutputSize)));
    }

    /// <summary>The 10,000 MNIST test images, loaded once for the tests of this class.</summary>
    private static readonly Lazy<ImageDataset> MnistTest = new(() => MnistDataset.LoadTest(MnistLocator.Locate(MnistLocatorOptions.Default(null))));

    public static IEnumerable<object[]> MnistNetworks() => Networks().Where(n => n[1] is Func<INetwork> f && f().InputSize == 784)
        .Append(["PyTorchKinds", (Func<INetwork>)(() => new PyTorchKinds())]);

    [Theory]
    [MemberData(nameof(MnistNetworks))]
    public void An_exported_network_gives_Infers_probabilities_in_ONNX_Runtime_on_MNIST_test_images(string name, Func<INetwork> create)
    {
        var net = create();
        Reference.Randomize(net, seed: 13);
        const int count = 300;
        var x = new float[count * net.InputSize];
        MnistTest.Value.PackBatch(Enumerable.Range(0, count).ToArray(), 1, PixelNormalization.Mnist, x, new int[count]);
        var expected = Reference.Infer(net, x, count);
        var actual = Reference.RunOnnx(OnnxExporter.ToBytes(net), net, x, count);
        double maxdiff = Reference.MaxDiff(expected, actual);
        output.WriteLine($"{name} (random weights): the first {count} MNIST test images, maxdiff {maxdiff:E2}");
        Assert.True(maxdiff <= Tolerance, $"{name}: ONNX Runtime and Infer differ by {maxdiff:E3} > {Tolerance:E0}");
    }

    [Fact]
    public void An_untrained_network_exports_too()
    {
        var net = new ResidualNet(); // as constructed: seed 0, biases 0, BatchNorm at its initial statistics
        var x = Reference.RandomInputs(net, 5, seed: 3);
        double maxdiff = Reference.MaxDiff(Reference.Infer(net, x, 5), Reference.RunOnnx(OnnxExporter.ToBytes(net), net, x, 5));
        output.WriteLine($"untrained ResidualNet: maxdiff {maxdiff:E2}");
        Assert.True(maxdiff <= Tolerance, $"maxdiff {maxdiff:E3}");
    }

    [Fact]
    public void The_batch_dimension_is_dynamic_and_the_input_is_named_and_shaped_NCHW()
    {
        var net = new LeNet5();
        using var session = new InferenceSession(OnnxExporter.ToBytes(net));
        var input = session.InputMetadata[OnnxNames.Input];
        Assert.Equal(new[] { -1, 1, 28, 28 }, input.Dimensions);
        Assert.Equal(OnnxNames.BatchDimension, input.SymbolicDimensions[0]);
        var outputMeta = session.OutputMetadata[OnnxNames.Output];
        Assert.Equal(new[] { -1, 10 }, outputMeta.Dimensions);
        foreach (int n in new[] { 1, 3, 64 })
        {
            var x = Reference.RandomInputs(net, n, seed: n);
            Assert.Equal(n * 10, Reference.RunOnnx(session, net, x, n).Length);
        }
    }

    [Fact]
    public void The_model_records_the_normalization_class_names_and_fingerprint_as_metadata()
    {
        var net = new LeNet5();
        var info = ModelDataInfo.MnistDefault;
        using var session = new InferenceSession(OnnxExporter.ToBytes(net, info.ToMetadata()));
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("0.1307", meta[ModelDataInfo.MeanKey]);
        Assert.Equal("0.3081", meta[ModelDataInfo.StdKey]);
        Assert.Equal("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]", meta[ModelDataInfo.ClassesKey]);
        Assert.Equal(LeNet5.Fingerprint, meta[OnnxNames.FingerprintKey]);
        Assert.Equal("LeNet5", meta[OnnxNames.NetworkKey]);
        Assert.Contains("(N, 1, 28, 28)", meta[OnnxNames.InputKey]);
        Assert.Equal("CnnGen.Onnx", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void The_default_trained_LeNet5_gives_the_same_class_on_all_10000_MNIST_test_images_in_ONNX_Runtime()
    {
        INetwork net = new LeNet5();
        string modelPath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lenet5.model");
        var fileInfo = ModelFile.Load(modelPath, net);
        var data = ModelDataInfo.FromModel(modelPath, fileInfo);
        var test = MnistTest.Value;
        Assert.Equal(10_000, test.Count);

        string onnxPath = Path.Combine(Path.GetTempPath(), $"cnngen-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Export(net, onnxPath, fileInfo.Metadata);
            using var session = new InferenceSession(onnxPath);
            var meta = session.ModelMetadata.CustomMetadataMap;
            // the inputs are normalized as the metadata in the ONNX file says
            var normalization = PixelNormalization.Standardize(
                float.Parse(meta[ModelDataInfo.MeanKey], System.Globalization.CultureInfo.InvariantCulture),
                float.Parse(meta[ModelDataInfo.StdKey], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(data.Mean, float.Parse(meta[ModelDataInfo.MeanKey], System.Globalization.CultureInfo.InvariantCulture));

            const int batch = 1000;
            int sameClass = 0, correctOnnx = 0, correctCnnGen = 0;
            double maxdiff = 0;
            var indices = new int[batch];
            var x = new float[batch * net.InputSize];
            var labels = new int[batch];
            for (int start = 0; start < test.Count; start += batch)
            {
                for (int i = 0; i < batch; i++) indices[i] = start + i;
                test.PackBatch(indices, 1, normalization, x, labels); // one lane: sample after sample, (N, C, H, W)
                var expected = Reference.Infer(net, x, batch);
                var actual = Reference.RunOnnx(session, net, x, batch);
                maxdiff = Math.Max(maxdiff, Reference.MaxDiff(expected, actual));
                for (int i = 0; i < batch; i++)
                {
                    int a = Reference.ArgMax(expected.AsSpan(i * 10, 10)), b = Reference.ArgMax(actual.AsSpan(i * 10, 10));
                    if (a == b) sameClass++;
                    if (a == labels[i]) correctCnnGen++;
                    if (b == labels[i]) correctOnnx++;
                }
            }
            output.WriteLine($"10,000 MNIST test images: same class {sameClass:N0}, accuracy CnnGen {correctCnnGen / 100.0:F2}% / ONNX Runtime {correctOnnx / 100.0:F2}%, maxdiff {maxdiff:E2}");
            Assert.Equal(10_000, sameClass);
            Assert.True(maxdiff <= Tolerance, $"maxdiff {maxdiff:E3}");
            Assert.Equal(correctCnnGen, correctOnnx);
            Assert.True(correctCnnGen >= 9_900, $"the fixture model should be the trained one: {correctCnnGen} correct");
        }
        finally
        {
            File.Delete(onnxPath);
        }
    }

    [Fact]
    public void A_hand_written_network_without_layers_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxExporter.ToBytes(new NoLayers()));
        Assert.Contains("NoLayers describes no layers", e.Message);
    }

    /// <summary>An INetwork that is not generated: it has no <see cref="INetwork.Layers"/>.</summary>
    private sealed class NoLayers : INetwork
    {
        public string Name => "NoLayers";
        public int InputChannels => 1;
        public int InputHeight => 1;
        public int InputWidth => 1;
        public int InputSize => 1;
        public int OutputSize => 1;
        public int ParameterCount => 0;
        public int StateCount => 0;
        public string Fingerprint => "";
        public string Summary => "";
        public Span<float> Parameters => default;
        public Span<float> Gradients => default;
        public Span<float> State => default;
        public void InitializeParameters(ulong seed) { }
        public void ZeroGrad() { }
        public NetworkWorkspace CreateWorkspace(int lanes, int maxSamples) => throw new NotSupportedException();
        public StepResult TrainStep(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count, float gradientScale, Span<float> gradients, ulong noiseSeed) => throw new NotSupportedException();
        public StepResult Loss(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count, ulong noiseSeed) => throw new NotSupportedException();
        public void Infer(NetworkWorkspace workspace, ReadOnlySpan<float> input, int count, Span<float> probabilities) => throw new NotSupportedException();
        public void UpdateRunningStatistics(NetworkWorkspace workspace) { }
    }
}

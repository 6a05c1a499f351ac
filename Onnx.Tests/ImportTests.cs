using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen;
using CnnGen.Data;
using CnnGen.Sample.Mnist;
using CnnGen.Sample.Mnist.Data;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>ONNX files PyTorch wrote, and CnnGen's own exports, load into declared networks and compute what PyTorch computed.</summary>
public sealed class ImportTests(ITestOutputHelper output)
{
    public const double Tolerance = 1e-5;

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name);

    /// <summary>A fixture of little-endian float32 values.</summary>
    internal static float[] ReadFloats(string name)
    {
        var bytes = File.ReadAllBytes(Fixture(name));
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(bytes, i * 4);
        return values;
    }

    [Theory]
    [MemberData(nameof(ExportTests.Networks), MemberType = typeof(ExportTests))]
    public void An_exported_network_loads_back_bit_for_bit(string name, Func<INetwork> create)
    {
        var source = create();
        Reference.Randomize(source, seed: 5);
        var bytes = OnnxExporter.ToBytes(source);
        var target = create();
        var result = OnnxImporter.Load(bytes, target, name + ".onnx");
        Assert.True(source.Parameters.SequenceEqual(target.Parameters), $"{name}: parameters differ after the round trip");
        Assert.True(source.State.SequenceEqual(target.State), $"{name}: state differs after the round trip");
        Assert.Equal("CnnGen.Onnx", result.Producer.Split(' ')[0]);
        Assert.Equal(source.Fingerprint, result.Metadata[OnnxNames.FingerprintKey]);
        output.WriteLine($"{name}: {result.NodesMatched} nodes matched, {source.ParameterCount:N0} parameters");
    }

    public static IEnumerable<object[]> PyTorchModels() =>
    [
        ["lenet5", (Func<INetwork>)(() => new LeNet5())],
        ["kinds", (Func<INetwork>)(() => new PyTorchKinds())],
    ];

    [Theory]
    [MemberData(nameof(PyTorchModels))]
    public void A_PyTorch_model_loads_and_gives_PyTorchs_probabilities(string name, Func<INetwork> create)
    {
        var net = create();
        var result = OnnxImporter.Load(Fixture(name + ".onnx"), net);
        Assert.StartsWith("pytorch", result.Producer);
        var inputs = ReadFloats("inputs.bin");
        int count = inputs.Length / net.InputSize;
        Assert.Equal(40, count);
        var expected = ReadFloats(name + ".probs.bin");
        foreach (int lanes in new[] { 1, NetworkWorkspace.PreferredLanes })
        {
            var actual = Reference.Infer(net, inputs, count, lanes);
            double maxdiff = Reference.MaxDiff(expected, actual);
            output.WriteLine($"{name} ({result.Producer}, {result.NodesMatched} nodes): {count} inputs at {lanes} lanes, maxdiff against PyTorch {maxdiff:E2}");
            Assert.True(maxdiff <= Tolerance, $"{name}: CnnGen and PyTorch differ by {maxdiff:E3} > {Tolerance:E0}");
        }
    }

    [Theory]
    [MemberData(nameof(PyTorchModels))]
    public void A_PyTorch_model_gives_PyTorchs_class_on_all_10000_MNIST_test_images(string name, Func<INetwork> create)
    {
        var net = create();
        OnnxImporter.Load(Fixture(name + ".onnx"), net);
        GivesPyTorchsClassOnAllTestImages(name, net, output);
    }

    /// <summary>The class <paramref name="net"/> (with the weights of PyTorch's <paramref name="name"/>) gives every MNIST test image is PyTorch's.</summary>
    internal static void GivesPyTorchsClassOnAllTestImages(string name, INetwork net, ITestOutputHelper output)
    {
        var test = MnistDataset.LoadTest(MnistLocator.Locate(MnistLocatorOptions.Default(null)));
        byte[] torchClasses = File.ReadAllBytes(Fixture(name + ".classes.bin"));
        Assert.Equal(test.Count, torchClasses.Length);
        var indices = Enumerable.Range(0, test.Count).ToArray();
        var x = new float[test.Count * net.InputSize];
        var labels = new int[test.Count];
        test.PackBatch(indices, 1, PixelNormalization.Mnist, x, labels);

        // the script's inputs are the first 32 of these images, normalized by PyTorch
        var torchInputs = ReadFloats("inputs.bin");
        double inputDiff = Reference.MaxDiff(torchInputs[..(32 * 784)], x[..(32 * 784)]);
        Assert.True(inputDiff <= 1e-6, $"PyTorch normalized the images otherwise: maxdiff {inputDiff:E2}");

        var p = Reference.Infer(net, x, test.Count);
        int same = 0, correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            int k = Reference.ArgMax(p.AsSpan(i * 10, 10));
            if (k == torchClasses[i]) same++;
            if (k == labels[i]) correct++;
        }
        var manifest = JsonDocument.Parse(File.ReadAllText(Fixture("manifest.json")));
        double torchAccuracy = manifest.RootElement.GetProperty("nets").GetProperty(name).GetProperty("test_accuracy").GetDouble();
        output.WriteLine($"{name}: the same class as PyTorch on {same:N0} of 10,000 test images; accuracy {correct / 100.0:F2}% (PyTorch {torchAccuracy:P2})");
        Assert.Equal(test.Count, same);
    }

    [Fact]
    public void A_declaration_with_other_filters_names_the_node_and_the_declaration_it_needs()
    {
        var net = new WiderLeNet5();
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(Fixture("lenet5.onnx"), net));
        output.WriteLine(e.Message);
        Assert.Equal(Fixture("lenet5.onnx"), e.FilePath);
        Assert.Equal("'/0/0.0/Conv' (Conv, #0)", e.Node);
        Assert.Contains("weights (6, 1, 5, 5)", e.Message);
        Assert.Contains("WiderLeNet5 has Conv1 ([Conv2D(8, 5, Padding = 2)])", e.Message);
        Assert.Contains("the declaration would need [Conv2D(6, 5, Padding = 2)]", e.Message);
        Assert.True(before.AsSpan().SequenceEqual(net.Parameters), "a failed import changed the network");
    }

    [Fact]
    public void Another_pooling_kind_names_the_node()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(Fixture("lenet5.onnx"), new AvgLeNet5()));
        output.WriteLine(e.Message);
        Assert.Equal("'/0/0.2/MaxPool' (MaxPool, #2)", e.Node);
        Assert.Contains("is MaxPool, not AveragePool; AvgLeNet5's layer AvgPool1 is [AvgPool(2)] here: the declaration would need [MaxPool(2)] at AvgPool1.", e.Message);
    }

    [Fact]
    public void A_missing_dense_layer_names_the_Gemm_whose_shape_differs()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(Fixture("lenet5.onnx"), new ShortLeNet5()));
        output.WriteLine(e.Message);
        Assert.Equal("'/0/0.9/Gemm' (Gemm, #9)", e.Node);
        Assert.Contains("weights (84, 120) (transB 1): 120 inputs to 84 units", e.Message);
        Assert.Contains("the declaration would need [Dense(84)]", e.Message);
    }

    [Fact]
    public void A_model_larger_than_the_declaration_names_the_first_node_it_has_no_place_for()
    {
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(Fixture("lenet5.onnx"), new TinyNet()));
        output.WriteLine(e.Message);
        Assert.Equal("'/0/0.3/Conv' (Conv, #3)", e.Node);
        Assert.Contains("is Conv, not a Flatten", e.Message);
    }

    [Fact]
    public void A_model_that_goes_on_after_the_declared_Softmax_is_larger_than_the_declaration()
    {
        // a LeNet-5 export with one more node after its Softmax
        var model = OnnxExporter.Build(new LeNet5(), null);
        var last = model.Graph.Node[^1];
        last.Output[0] = "softmax_out";
        var extra = new Proto.NodeProto { Name = "Extra", OpType = "Relu" };
        extra.Input.Add("softmax_out");
        extra.Output.Add(OnnxNames.Output);
        model.Graph.Node.Add(extra);
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(Google.Protobuf.MessageExtensions.ToByteArray(model), new LeNet5(), "extra.onnx"));
        output.WriteLine(e.Message);
        Assert.Equal("'Extra' (Relu, #13)", e.Node);
        Assert.Contains("follows LeNet5's last layer Softmax1 ([Softmax]): the model is larger than the declared network", e.Message);
    }

    [Fact]
    public void A_model_smaller_than_the_declaration_says_where_it_ends()
    {
        // a LeNet-5 export without its final Softmax: the logits are the output
        var model = OnnxExporter.Build(new LeNet5(), null);
        model.Graph.Node.RemoveAt(model.Graph.Node.Count - 1);
        model.Graph.Node[^1].Output[0] = OnnxNames.Output;
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(Google.Protobuf.MessageExtensions.ToByteArray(model), new LeNet5(), "logits.onnx"));
        output.WriteLine(e.Message);
        Assert.Equal("'Dense3' (Gemm, #11)", e.Node);
        Assert.Contains("the model ends here (its output 'probabilities', a graph output), but the declaration of LeNet5 continues with Softmax1 ([Softmax]): the model is smaller than the declared network.", e.Message);
    }
}

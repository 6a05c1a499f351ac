using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnGen;
using CnnGen.Onnx.Proto;
using CnnGen.Sample.Mnist;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>
/// Bad ONNX input is one <see cref="OnnxModelException"/> naming the file (and the node, where one is to blame), and
/// leaves the network as it was: never a protobuf exception, never another exception, never a partial load.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnngen-onnx-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Loads <paramref name="bytes"/> as <paramref name="name"/> into a network filled with a marker; asserts a refusal that left it untouched.</summary>
    private OnnxModelException Refused(byte[] bytes, INetwork net, string name = "bad.onnx")
    {
        Mark(net);
        var before = net.Parameters.ToArray();
        var state = net.State.ToArray();
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(bytes, net, name));
        output.WriteLine(e.Message);
        Assert.Equal(name, e.FilePath);
        Assert.StartsWith($"ONNX file '{name}': ", e.Message);
        Assert.DoesNotContain("importer fault", e.Message);
        Assert.True(before.AsSpan().SequenceEqual(net.Parameters), "a refused file changed the parameters");
        Assert.True(state.AsSpan().SequenceEqual(net.State), "a refused file changed the state");
        return e;
    }

    private static void Mark(INetwork net)
    {
        var p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = i % 7 - 3;
    }

    private static ModelProto LeNet5Model() => OnnxExporter.Build(new LeNet5(), null);

    [Fact]
    public void Foreign_files_are_refused_with_a_clear_error()
    {
        var cases = new (string Name, byte[] Bytes, string Expected)[]
        {
            ("empty.onnx", [], "is empty"),
            ("text.onnx", "this is not a model\n"u8.ToArray(), "not"),
            ("png.onnx", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], "not"),
            ("model.onnx", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "lenet5.model")), "not"),
            ("zeros.onnx", new byte[1000], "not"),
            ("noise.onnx", Noise(4096, 3), "not"),
            ("graphless.onnx", new ModelProto { IrVersion = 7 }.ToByteArray(), "not an ONNX model: no graph"),
            ("versionless.onnx", new ModelProto { Graph = new GraphProto() }.ToByteArray(), "not an ONNX model: no ir_version"),
        };
        foreach (var (name, bytes, expected) in cases)
            Assert.Contains(expected, Refused(bytes, new LeNet5(), name).Message);
    }

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_missing_file_and_a_directory_are_refused_naming_the_path()
    {
        string missing = Path.Combine(_dir, "missing.onnx");
        var e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(missing, new LeNet5()));
        Assert.Equal($"ONNX file '{missing}': does not exist.", e.Message);
        e = Assert.Throws<OnnxModelException>(() => OnnxImporter.Load(_dir, new LeNet5()));
        Assert.StartsWith($"ONNX file '{_dir}': cannot be read", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_as_truncated_or_corrupted()
    {
        var bytes = File.ReadAllBytes(ImportTests.Fixture("lenet5.onnx"));
        foreach (int length in new[] { 1, 10, 100, bytes.Length / 2, bytes.Length - 1 })
            Refused(bytes[..length], new LeNet5(), $"cut{length}.onnx");
        Assert.Contains("truncated or corrupted protobuf", Refused(bytes[..(bytes.Length / 2)], new LeNet5()).Message);
    }

    [Fact]
    public void An_unsupported_operator_is_named_with_its_node()
    {
        var model = LeNet5Model();
        model.Graph.Node[1].OpType = "Elu";
        var e = Refused(model.ToByteArray(), new LeNet5());
        Assert.Equal("'Relu1' (Elu, #1)", e.Node);
        Assert.Contains("is Elu, not Relu; LeNet5's layer Relu1 is [ReLU] here: the declaration would need a layer for operator Elu, which CnnGen does not have", e.Message);
    }

    [Fact]
    public void An_operator_of_another_domain_is_named()
    {
        var model = LeNet5Model();
        model.Graph.Node[2].Domain = "com.microsoft";
        Assert.Contains("is in operator domain 'com.microsoft'", Refused(model.ToByteArray(), new LeNet5()).Message);
    }

    [Fact]
    public void Weights_of_another_shape_are_named_with_the_node()
    {
        // conv1_w declared (6, 1, 5, 5) but stored as (6, 1, 25, 1) with the same data
        var model = LeNet5Model();
        var w = model.Graph.Initializer.First(t => t.Name == "conv1_w");
        w.Dims.Clear();
        w.Dims.Add([6, 1, 25, 1]);
        var e = Refused(model.ToByteArray(), new LeNet5());
        Assert.Equal("'Conv1' (Conv, #0)", e.Node);
        Assert.Contains("a Conv CnnGen cannot declare (a Conv with weights (6, 1, 25, 1)", e.Message);
    }

    [Fact]
    public void Raw_data_that_does_not_fit_the_shape_is_named()
    {
        var model = LeNet5Model();
        var b = model.Graph.Initializer.First(t => t.Name == "dense1_b");
        b.RawData = ByteString.CopyFrom(b.RawData.Span[..^4]);
        var e = Refused(model.ToByteArray(), new LeNet5());
        Assert.Equal("'Dense1' (Gemm, #7)", e.Node);
        Assert.Contains("has its bias 'dense1_b' of shape (120) (120 floats) with 476 bytes of raw data, not 480", e.Message);
    }

    [Fact]
    public void A_weight_that_is_not_finite_is_refused()
    {
        var model = LeNet5Model();
        var w = model.Graph.Initializer.First(t => t.Name == "dense2_w");
        var raw = w.RawData.ToByteArray();
        BitConverter.GetBytes(float.NaN).CopyTo(raw, 40);
        w.RawData = ByteString.CopyFrom(raw);
        Assert.Contains("has a value NaN in its weights 'dense2_w'", Refused(model.ToByteArray(), new LeNet5()).Message);
    }

    [Fact]
    public void An_input_of_another_shape_says_what_the_declaration_would_need()
    {
        var model = LeNet5Model();
        var dims = model.Graph.Input[0].Type.TensorType.Shape.Dim;
        dims[1].DimValue = 3;
        dims[2].DimValue = 32;
        dims[3].DimValue = 32;
        var e = Refused(model.ToByteArray(), new LeNet5());
        Assert.Contains("has the graph input 'input' of shape (N, 3, 32, 32); LeNet5 takes (N, 1, 28, 28): the declaration would need [Network(3, 32, 32)].", e.Message);
    }

    [Fact]
    public void A_model_with_more_filters_than_the_declaration_is_refused_at_its_first_convolution()
    {
        var e = Refused(OnnxExporter.ToBytes(new WiderLeNet5()), new LeNet5());
        Assert.Equal("'Conv1' (Conv, #0)", e.Node);
        Assert.Contains("weights (8, 1, 5, 5)", e.Message);
        Assert.Contains("the declaration would need [Conv2D(8, 5, Padding = 2)]", e.Message);
    }

    [Fact]
    public void A_model_larger_than_the_declaration_by_a_stray_branch_names_the_unused_node()
    {
        // a side branch nobody reads: a Relu of the input
        var model = LeNet5Model();
        var stray = new NodeProto { Name = "Stray", OpType = "Sigmoid" };
        stray.Input.Add("relu4_out");
        stray.Output.Add("stray_out");
        model.Graph.Node.Add(stray);
        var e = Refused(model.ToByteArray(), new LeNet5());
        Assert.Contains("'Stray' (Sigmoid, #13)", e.Message);
        Assert.Contains("branches", e.Message);
    }

    [Fact]
    public void A_BatchNorm_epsilon_that_differs_is_named()
    {
        var model = OnnxExporter.Build(new EveryKindNet(), null);
        var bn = model.Graph.Node.First(n => n.OpType == "BatchNormalization");
        bn.Attribute.First(a => a.Name == "epsilon").F = 1e-3f;
        var e = Refused(model.ToByteArray(), new EveryKindNet());
        Assert.Contains("is a BatchNormalization of epsilon 0.001; EveryKindNet's layer BatchNorm1 is [BatchNorm]: the declaration would need [BatchNorm(Epsilon = 0.001)].", e.Message);
    }

    [Fact]
    public void A_residual_join_of_the_other_kind_is_named_both_ways()
    {
        var e = Refused(OnnxExporter.ToBytes(new ResidualNetProjected()), new ResidualNet());
        Assert.Equal("'Add1' (Add, #7)", e.Node);
        Assert.Contains("the declaration would need [Add(Projection = true)]", e.Message);
        e = Refused(OnnxExporter.ToBytes(new ResidualNet()), new ResidualNetProjected());
        Assert.Equal("'Add1' (Add, #6)", e.Node);
        Assert.Contains("adds the block's input 'relu1_out' directly; ResidualNetProjected's layer Add1 projects it (Add(Projection = true)): the declaration would need [Add].", e.Message);
    }

    [Fact]
    public void A_changed_weight_in_a_CnnGen_export_fails_its_checksum()
    {
        var bytes = OnnxExporter.ToBytes(new LeNet5());
        // a byte in the middle of the file lies inside conv2_w's raw data: still a valid ONNX model, with another weight
        bytes[bytes.Length / 3] ^= 0x40;
        var e = Refused(bytes, new LeNet5());
        Assert.Contains("is corrupted: its graph's CRC-32 is ", e.Message);
        Assert.Contains("If the file was edited on purpose, remove that metadata entry.", e.Message);
    }
}

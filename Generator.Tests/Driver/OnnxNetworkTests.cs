using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnGen.Onnx.Proto;
using Google.Protobuf;
using Microsoft.CodeAnalysis;
using Xunit;
using static CnnGen.Generator.Tests.Driver.DiagnosticAssert;
using static Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// [OnnxNetwork]: the generator finds the model among the additional files, reads it, and generates the network or says
/// why not (CNN029 the file, CNN030 the model, CNN031 the class), never throwing. What the generated networks compute is
/// checked against PyTorch in Onnx.Tests (GeneratedNetworkTests).
/// </summary>
public sealed class OnnxNetworkTests
{
    private static string Source(string body) => "using CnnGen;\nnamespace Samples;\n\n" + body + "\n";

    private static readonly byte[] LeNet5 = AdditionalFiles.Fixture("lenet5.onnx");

    private static AdditionalFiles LeNet5Files() => new AdditionalFiles().Model("models/lenet5.onnx", LeNet5);

    private const string Valid = """
        using CnnGen;
        namespace Samples;

        [OnnxNetwork("models/lenet5.onnx")]
        public partial class TorchNet { }
        """;

    // ---------------------------------------------------------------- generated

    [Fact, DoesNotTrigger("CNN029")]
    public void CNN029_a_model_among_the_additional_files_is_found()
    {
        var run = DoesNotReport("CNN029", LeNet5Files(), Valid);
        string code = run.SourceText("Samples.TorchNet.g.cs");
        Assert.Contains("public const int ParameterCount = 61706;", code);
        Assert.Contains("Generated from the ONNX model models/lenet5.onnx (pytorch 1.13.0)", code);
        Assert.Contains("LoadOnnxWeights();", code);
        string weights = run.SourceText("Samples.TorchNet.OnnxWeights.g.cs");
        Assert.Contains("private static global::System.ReadOnlySpan<byte> OnnxParameterData => \"", weights);
    }

    [Fact, DoesNotTrigger("CNN030")]
    public void CNN030_a_model_of_known_operators_generates() =>
        DoesNotReport("CNN030", new AdditionalFiles().Model("kinds.onnx", AdditionalFiles.Fixture("kinds.onnx")), Valid.Replace("models/lenet5.onnx", "kinds.onnx"));

    [Fact, DoesNotTrigger("CNN031")]
    public void CNN031_an_onnx_network_without_layer_attributes_is_fine() =>
        DoesNotReport("CNN031", LeNet5Files(), Valid.Replace("models/lenet5.onnx", "lenet5.onnx").Replace("Samples;", "Samples; // the end of the path suffices"));

    [Fact]
    public void The_model_file_itself_is_never_read_and_its_name_may_be_given_with_backslashes() =>
        // AdditionalFiles.Binary throws when read: the generator reads only the text form
        DoesNotReport("CNN029", LeNet5Files(), Valid.Replace("models/lenet5.onnx", "models\\\\lenet5.onnx"));

    [Fact]
    public void Weights_the_model_holds_are_in_the_generated_file_in_the_networks_order()
    {
        var run = DoesNotReport("CNN029", LeNet5Files(), Valid);
        string weights = run.SourceText("Samples.TorchNet.OnnxWeights.g.cs");
        string base64 = weights.Split("OnnxParameterData => \"")[1].Split('"')[0];
        var floats = new float[Convert.FromBase64String(base64).Length / 4];
        Buffer.BlockCopy(Convert.FromBase64String(base64), 0, floats, 0, floats.Length * 4);
        Assert.Equal(61706, floats.Length);
        // the first convolution's weights are the model's first initializer, as stored; its first dense layer's are Gemm's B (transB 1)
        var model = ModelProto.Parser.ParseFrom(LeNet5);
        var conv = model.Graph.Node.First(n => n.OpType == "Conv");
        var w = model.Graph.Initializer.Single(t => t.Name == conv.Input[1]);
        var stored = new float[w.RawData.Length / 4];
        Buffer.BlockCopy(w.RawData.ToByteArray(), 0, stored, 0, w.RawData.Length);
        Assert.Equal(stored, floats.Take(stored.Length));
    }

    // ---------------------------------------------------------------- CNN029 the file

    [Fact, Triggers("CNN029")]
    public void CNN029_a_file_that_is_no_additional_file() => Reports(Source("""
        [[|OnnxNetwork("lenet.onnx")|]]
        public partial class TorchNet { }
        """), LeNet5Files(),
        new Expected("CNN029", Error, "Network 'TorchNet': no additional file is 'lenet.onnx' or ends with it; add <AdditionalFiles Include=\"lenet.onnx\" /> " +
                                      "to the project file (its .onnx additional files: '/src/App/models/lenet5.onnx')."));

    [Fact]
    public void CNN029_a_project_without_onnx_additional_files() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        public partial class TorchNet { }
        """), new AdditionalFiles(),
        new Expected("CNN029", Error, "Network 'TorchNet': no additional file is 'lenet5.onnx' or ends with it; add <AdditionalFiles Include=\"lenet5.onnx\" /> " +
                                      "to the project file (the project has no .onnx additional files)."));

    [Fact]
    public void CNN029_an_onnx_file_without_its_text_form() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        public partial class TorchNet { }
        """), new AdditionalFiles().Binary("lenet5.onnx"),
        new Expected("CNN029", Error, "Network 'TorchNet': 'lenet5.onnx' is an additional file, but not in the text form the generator reads (the compiler refuses " +
                                      "binary additional files, so CnnGen's build targets write a base64 copy of each .onnx one); the CnnGen package imports them, and a " +
                                      "project that references the generator project directly must import CnnGen.targets (Runtime/build/CnnGen.targets)."));

    [Fact]
    public void CNN029_a_name_that_matches_two_models() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        public partial class TorchNet { }
        """), new AdditionalFiles().Model("a/lenet5.onnx", LeNet5).Model("b/lenet5.onnx", LeNet5),
        new Expected("CNN029", Error, "Network 'TorchNet': 'lenet5.onnx' matches 2 additional files ('/src/App/a/lenet5.onnx', '/src/App/b/lenet5.onnx'); give more of the path."));

    // ---------------------------------------------------------------- CNN030 the model

    [Fact, Triggers("CNN030")]
    public void CNN030_an_operator_CnnGen_has_no_layer_for_names_the_node()
    {
        var model = ModelProto.Parser.ParseFrom(LeNet5);
        int relu = model.Graph.Node.ToList().FindIndex(n => n.OpType == "Relu");
        model.Graph.Node[relu].OpType = "HardSwish";
        Reports(Source("""
            [[|OnnxNetwork("lenet5.onnx")|]]
            public partial class TorchNet { }
            """), new AdditionalFiles().Model("lenet5.onnx", model.ToByteArray()),
            new Expected("CNN030", Error, $"Network 'TorchNet': ONNX file 'lenet5.onnx': node '{model.Graph.Node[relu].Name}' (HardSwish, #{relu}): has no CnnGen layer: it would need " +
                                          "a layer for operator HardSwish, which CnnGen does not have (supported: Conv, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool, Flatten, " +
                                          "Gemm, MatMul, BatchNormalization, Softmax, GlobalAveragePool, Add, Dropout, Identity)."));
    }

    [Fact]
    public void CNN030_a_truncated_model() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        public partial class TorchNet { }
        """), new AdditionalFiles().Model("lenet5.onnx", LeNet5.AsSpan(0, 100_000).ToArray()),
        new Expected("CNN030", Error, "Network 'TorchNet': ONNX file 'lenet5.onnx': is not a readable ONNX model (truncated or corrupted protobuf: " +
                                      "While parsing a protocol message, the input ended unexpectedly in the middle of a field.  This could mean either that the input " +
                                      "has been truncated or that an embedded message misreported its own length.)"));

    [Fact]
    public void CNN030_a_file_that_is_not_onnx() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        public partial class TorchNet { }
        """), new AdditionalFiles().Model("lenet5.onnx", System.Text.Encoding.UTF8.GetBytes("this is a text file, not a model\n")),
        new Expected("CNN030", Error, "Network 'TorchNet': ONNX file 'lenet5.onnx': is not a readable ONNX model (truncated or corrupted protobuf: " +
                                      "Completed reading a message while more data was available in the stream.)"));

    [Fact]
    public void CNN030_a_text_form_that_is_not_base64() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        public partial class TorchNet { }
        """), new AdditionalFiles().Binary("lenet5.onnx").TextForm("lenet5.onnx", AdditionalFiles.Header + "CAcSB3B5dG9y!!\n"),
        new Expected("CNN030", Error, "Network 'TorchNet': the text form '/src/App/obj/cnngen/lenet5.onnx.1.onnx.txt' of '/src/App/lenet5.onnx' is not base64 (it was edited or " +
                                      "cut short); delete it and build again, and the CnnGen build targets write it anew."));

    [Fact]
    public void CNN030_weights_that_do_not_fit_the_shapes_the_layers_before_them_produce()
    {
        // the first dense layer's weights cut to 100 inputs: what the convolutions produce (400) no longer fits
        var model = ModelProto.Parser.ParseFrom(LeNet5);
        var gemm = model.Graph.Node.First(n => n.OpType == "Gemm");
        int index = model.Graph.Node.IndexOf(gemm);
        var w = model.Graph.Initializer.Single(t => t.Name == gemm.Input[1]);
        w.Dims[1] = 100;
        w.RawData = ByteString.CopyFrom(w.RawData.Span.Slice(0, 120 * 100 * 4).ToArray());
        Reports(Source("""
            [[|OnnxNetwork("lenet5.onnx")|]]
            public partial class TorchNet { }
            """), new AdditionalFiles().Model("lenet5.onnx", model.ToByteArray()),
            new Expected("CNN030", Error, $"Network 'TorchNet': ONNX file 'lenet5.onnx': node '{gemm.Name}' (Gemm, #{index}): has 12000 values in a weight tensor where Dense1 " +
                                          "(Dense 400->120, input 400) holds 48000 (dense1_w (120,400)): the model's layers before it produce another shape than this node expects."));
    }

    // ---------------------------------------------------------------- CNN031 the class

    [Fact, Triggers("CNN031")]
    public void CNN031_layer_attributes_beside_OnnxNetwork() => Reports(Source("""
        [[|OnnxNetwork("lenet5.onnx")|]]
        [Conv2D(6, 5), ReLU]
        public partial class TorchNet { }
        """), LeNet5Files(),
        new Expected("CNN031", Error, "Network 'TorchNet' takes its input shape and layers from 'lenet5.onnx'; remove its layer attributes"));

    [Fact]
    public void CNN031_Network_beside_OnnxNetwork_is_reported_once_and_nothing_is_generated()
    {
        var run = Reports(Source("""
            [Network(1, 28, 28)]
            [[|OnnxNetwork("lenet5.onnx")|]]
            public partial class TorchNet { }
            """), LeNet5Files(),
            new Expected("CNN031", Error, "Network 'TorchNet' takes its input shape and layers from 'lenet5.onnx'; remove its [Network]"));
        Assert.Empty(run.Sources);
    }
}

/// <summary>The [OnnxNetwork] path's caching: an edit elsewhere does not read, parse or emit the model again.</summary>
public sealed class OnnxNetworkIncrementalTests
{
    [Fact]
    public void An_unrelated_edit_leaves_the_model_read_and_the_network_cached()
    {
        var files = new AdditionalFiles().Model("models/lenet5.onnx", AdditionalFiles.Fixture("lenet5.onnx"));
        var compilation = GeneratorHarness.CreateCompilation("""
            using CnnGen;
            namespace Samples;

            [OnnxNetwork("models/lenet5.onnx")]
            public partial class TorchNet { }
            """);
        var first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(files), compilation).AssertNoGeneratorDiagnostics();
        var edited = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace Samples; public static class Other { public static int Two() => 2; }", GeneratorHarness.ParseOptions, path: "Other.cs"));
        var second = GeneratorHarness.Run(first.Driver, edited).AssertNoGeneratorDiagnostics();
        foreach (var step in new[] { TrackingNames.OnnxFiles, TrackingNames.OnnxTransform, TrackingNames.OnnxAnalysis })
        {
            Assert.True(second.Result.TrackedSteps.TryGetValue(step, out var steps), $"step {step} was not tracked");
            var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
        Assert.Equal(first.SourceText("Samples.TorchNet.OnnxWeights.g.cs"), second.SourceText("Samples.TorchNet.OnnxWeights.g.cs"));
    }
}

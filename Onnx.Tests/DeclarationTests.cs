using System;
using CnnGen;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>OnnxDeclaration writes the attribute declaration of PyTorch's models: the ones PyTorchNets.cs and Sample.Mnist declare by hand.</summary>
public sealed class DeclarationTests(ITestOutputHelper output)
{
    [Fact]
    public void PyTorchs_LeNet5_is_declared_as_Sample_Mnists_LeNet5()
    {
        string text = OnnxDeclaration.FromFile(ImportTests.Fixture("lenet5.onnx"), "TorchLeNet5", "Samples");
        output.WriteLine(text);
        Assert.Contains(
            "namespace Samples;\n\n" +
            "[Network(1, 28, 28)]\n" +
            "[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2), Conv2D(16, 5), ReLU, MaxPool(2), Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]\n" +
            "public partial class TorchLeNet5 { }\n", text);
        Assert.Contains("(pytorch 1.13.0)", text);
    }

    [Fact]
    public void PyTorchs_net_of_the_newer_kinds_is_declared_as_PyTorchKinds()
    {
        string text = OnnxDeclaration.FromFile(ImportTests.Fixture("kinds.onnx"), "PyTorchKinds");
        output.WriteLine(text);
        // PyTorch leaves the Dropout out of an exported eval-mode model, so the declaration has none
        Assert.Contains(
            "[Network(1, 28, 28)]\n" +
            "[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm, LeakyReLU(0.1), AvgPool(2)]\n" +
            "[Residual, Conv2D(8, 3, Padding = 1), BatchNorm, ReLU, Conv2D(8, 3, Padding = 1, Groups = 8), Add]\n" +
            "[ReLU]\n" +
            "[Residual, Conv2D(16, 3, Stride = 2, Padding = 1, Groups = 2, Bias = false), BatchNorm, Sigmoid, Conv2D(16, 3, Padding = 1), Add(Projection = true)]\n" +
            "[Tanh, GlobalAvgPool, Dense(32), BatchNorm, ReLU, Dense(10), Softmax]\n" +
            "public partial class PyTorchKinds { }\n", text);
    }

    [Fact]
    public void A_CnnGen_export_is_declared_as_it_was_declared()
    {
        string text = OnnxDeclaration.FromBytes(OnnxExporter.ToBytes(new EveryKindNet()), "every.onnx", "EveryKindNet");
        output.WriteLine(text);
        Assert.Contains(
            "[Network(3, 12, 12)]\n" +
            "[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm, LeakyReLU(0.1), AvgPool(2), Conv2D(8, 3, Padding = 1, Groups = 4), Tanh, " +
            "Conv2D(8, 3, Stride = 2, Padding = 1, Groups = 8), Sigmoid, MaxPool(2, 1), Flatten, Dense(24), BatchNorm, ReLU, Dense(7, Bias = false), Softmax]\n", text);
    }

    [Fact]
    public void An_unsupported_operator_is_named()
    {
        var model = OnnxExporter.Build(new Sample.Mnist.LeNet5(), null);
        model.Graph.Node[4].OpType = "HardSwish";
        var e = Assert.Throws<OnnxModelException>(() => OnnxDeclaration.FromBytes(Google.Protobuf.MessageExtensions.ToByteArray(model), "hs.onnx", "Net"));
        Assert.Equal("ONNX file 'hs.onnx': node 'Relu2' (HardSwish, #4): has no CnnGen layer: it would need a layer for operator HardSwish, which CnnGen does not have " +
                     "(supported: Conv, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool, Flatten, Gemm, MatMul, BatchNormalization, Softmax, GlobalAveragePool, Add, Dropout, Identity).", e.Message);
    }

    /// <summary>
    /// FromOnnx/*.cs were written by <c>declare --onnx Onnx.Tests/Fixtures/pytorch/NAME.onnx --class ... --namespace
    /// CnnGen.Onnx.Tests.FromOnnx -o ...</c>; the generator makes their code, and PyTorch's weights load into it.
    /// </summary>
    [Theory]
    [InlineData("lenet5", "TorchLeNet5")]
    [InlineData("kinds", "TorchKinds")]
    public void A_declaration_written_from_a_PyTorch_file_compiles_loads_it_and_gives_PyTorchs_probabilities(string name, string className)
    {
        string written = System.IO.File.ReadAllText(System.IO.Path.Combine(ProtoTests.RepoRoot(), "Onnx.Tests", "FromOnnx", className + ".cs"));
        Assert.Equal(OnnxDeclaration.FromFile(ImportTests.Fixture(name + ".onnx"), className, "CnnGen.Onnx.Tests.FromOnnx"), written);
        INetwork net = className == "TorchLeNet5" ? new FromOnnx.TorchLeNet5() : new FromOnnx.TorchKinds();
        OnnxImporter.Load(ImportTests.Fixture(name + ".onnx"), net);
        var inputs = ReadInputs();
        double maxdiff = Reference.MaxDiff(ReadProbabilities(name), Reference.Infer(net, inputs, 40));
        output.WriteLine($"{className}, declared from {name}.onnx: maxdiff against PyTorch {maxdiff:E2}");
        Assert.True(maxdiff <= ImportTests.Tolerance, $"maxdiff {maxdiff:E3}");
    }

    private static float[] ReadInputs() => Floats("inputs.bin");
    private static float[] ReadProbabilities(string name) => Floats(name + ".probs.bin");

    private static float[] Floats(string file)
    {
        var bytes = System.IO.File.ReadAllBytes(ImportTests.Fixture(file));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}

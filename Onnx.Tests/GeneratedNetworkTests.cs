using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen;
using CnnGen.Onnx.Tests.FromOnnx;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>
/// [OnnxNetwork]: networks the source generator made from PyTorch's ONNX files at compile time (FromOnnx/Generated.cs,
/// the files are additional files of this project) compute what PyTorch computed, with the weights compiled in, and are
/// the networks OnnxDeclaration writes for those files with the weights the importer loads.
/// </summary>
public sealed class GeneratedNetworkTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Models() =>
    [
        ["lenet5", (Func<INetwork>)(() => new GeneratedTorchLeNet5()), (Func<INetwork>)(() => new TorchLeNet5())],
        ["kinds", (Func<INetwork>)(() => new GeneratedTorchKinds()), (Func<INetwork>)(() => new TorchKinds())],
    ];

    [Theory]
    [MemberData(nameof(Models))]
    public void A_generated_network_gives_PyTorchs_probabilities_with_no_import(string name, Func<INetwork> generated, Func<INetwork> _)
    {
        var net = generated();
        var inputs = ImportTests.ReadFloats("inputs.bin");
        int count = inputs.Length / net.InputSize;
        var expected = ImportTests.ReadFloats(name + ".probs.bin");
        foreach (int lanes in new[] { 1, NetworkWorkspace.PreferredLanes })
        {
            double maxdiff = Reference.MaxDiff(expected, Reference.Infer(net, inputs, count, lanes));
            output.WriteLine($"{net.Name}: {count} inputs at {lanes} lanes, maxdiff against PyTorch {maxdiff:E2}");
            Assert.True(maxdiff <= ImportTests.Tolerance, $"{name}: the generated network and PyTorch differ by {maxdiff:E3}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_generated_network_is_the_declared_one_with_the_imported_weights(string name, Func<INetwork> generated, Func<INetwork> declared)
    {
        var net = generated();
        var reference = declared();
        OnnxImporter.Load(ImportTests.Fixture(name + ".onnx"), reference);
        Assert.Equal(reference.Fingerprint, net.Fingerprint);
        Assert.Equal(reference.Summary.Replace(reference.Name, net.Name), net.Summary);
        Assert.True(reference.Parameters.SequenceEqual(net.Parameters), $"{name}: the compiled-in parameters differ from the imported ones");
        Assert.True(reference.State.SequenceEqual(net.State), $"{name}: the compiled-in state differs from the imported one");
    }

    [Fact]
    public void The_generated_LeNet5_gives_PyTorchs_class_on_all_10000_MNIST_test_images() =>
        ImportTests.GivesPyTorchsClassOnAllTestImages("lenet5", new GeneratedTorchLeNet5(), output);

    [Fact]
    public void LoadOnnxWeights_restores_the_models_weights()
    {
        var net = new GeneratedTorchKinds();
        float[] parameters = net.Parameters.ToArray(), state = net.State.ToArray();
        net.InitializeParameters(3);
        net.Gradients.Fill(1);
        Assert.False(parameters.AsSpan().SequenceEqual(net.Parameters));
        net.LoadOnnxWeights();
        Assert.True(parameters.AsSpan().SequenceEqual(net.Parameters));
        Assert.True(state.AsSpan().SequenceEqual(net.State));
        Assert.True(net.Gradients.ToArray().All(g => g == 0));
        Assert.Equal("Fixtures/pytorch/kinds.onnx", GeneratedTorchKinds.OnnxModel);
    }
}

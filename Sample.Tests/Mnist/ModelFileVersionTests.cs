using System.IO;
using System.Runtime.CompilerServices;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// Model files written before the metadata section (format version 1) still load: the fixture
/// <c>Fixtures/lenet5-v1.model</c> was written by the code at 3406108 (2 epochs on 10,000 MNIST digits, seed 11,
/// 95.9 % on the first 1,000 test digits) and must load and classify with MNIST's normalization.
/// </summary>
public sealed class ModelFileVersionTests(ITestOutputHelper output)
{
    public static string Fixture([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "lenet5-v1.model");

    [Fact]
    public void A_version_1_LeNet5_model_loads_and_classifies_MNIST_with_MNIST_defaults()
    {
        string path = Fixture();
        Assert.True(File.Exists(path), path);
        INetwork net = App.CreateLeNet5();
        var info = ModelFile.Load(path, net);
        Assert.Equal(1, info.Version);
        Assert.False(info.IsCheckpoint);
        Assert.Empty(info.Metadata);

        var data = ModelDataInfo.FromModel(path, info);
        Assert.False(data.Stored);
        Assert.Equal(0.1307f, data.Mean);
        Assert.Equal(0.3081f, data.Std);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], data.ClassNames);

        var test = RealMnist.Test.Take(1_000);
        var predictions = Evaluator.Run(net, test, data.Normalization, threads: 2);
        output.WriteLine($"v1 fixture: {predictions.Accuracy:P2} on 1,000 test digits");
        Assert.Equal(0.959, predictions.Accuracy, 3); // what the run that wrote it printed
    }
}

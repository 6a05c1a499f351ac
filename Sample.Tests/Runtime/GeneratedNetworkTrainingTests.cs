using System;
using System.IO;
using CnnGen.Data;
using CnnGen.Sample.Mnist;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>The trainer and model files on the generated LeNet-5 (synthetic 28x28 digits-like data, no MNIST files).</summary>
public sealed class GeneratedNetworkTrainingTests(ITestOutputHelper output)
{
    private static readonly ImageDataset Train = SyntheticData.Make(160, 10, 28, 28, seed: 31, "train");
    private static readonly ImageDataset Test = SyntheticData.Make(64, 10, 28, 28, seed: 32, "test");

    private (float[] Parameters, TrainingResult Result) Run(int threads)
    {
        var net = new LeNet5();
        net.InitializeParameters(7);
        using var trainer = new Trainer(net, new Adam(0.002f),
            new TrainerOptions { Epochs = 2, BatchSize = 32, Seed = 3, Threads = threads, Normalization = PixelNormalization.Mnist });
        var result = trainer.Fit(Train, Test);
        foreach (var r in result.History)
            output.WriteLine($"{threads} thread(s), epoch {r.Epoch}: train loss {r.TrainLoss:F4}, test loss {r.Test!.Loss:F4} acc {r.Test.Accuracy:P1}, {r.SamplesPerSecond:F0} samples/s");
        return (net.Parameters.ToArray(), result);
    }

    [Fact]
    public void LeNet5LearnsAndTwoThreadRunsAreBitIdentical()
    {
        var a = Run(threads: 2);
        var b = Run(threads: 2);
        Assert.Equal(a.Parameters.Length, b.Parameters.Length);
        for (int i = 0; i < a.Parameters.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(a.Parameters[i]) == BitConverter.SingleToInt32Bits(b.Parameters[i]), $"parameter {i}: {a.Parameters[i]:R} vs {b.Parameters[i]:R}");
        var history = a.Result.History;
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, $"train loss {history[0].TrainLoss} -> {history[^1].TrainLoss}");
        // Kept short (Sample.Tests runs the generated code unoptimized, in Debug): no accuracy threshold here, only that
        // 2 epochs of 160 samples bring the test loss below chance level, ln 10 = 2.303.
        Assert.True(history[^1].Test!.Loss < 2.2, $"test loss {history[^1].Test!.Loss}");
    }

    [Fact]
    public void LeNet5ModelFileRoundTrip()
    {
        var net = new LeNet5();
        net.InitializeParameters(5);
        string path = Path.Combine(Path.GetTempPath(), $"cnngen-lenet-{Guid.NewGuid():N}.cnn");
        try
        {
            ModelFile.Save(path, net);
            var loaded = new LeNet5();
            loaded.InitializeParameters(6);
            ModelFile.Load(path, loaded);
            Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());
            Assert.Equal("LeNet5", ModelFile.ReadInfo(path).NetworkName);

            var other = new LinearNet(1, 28, 28, 10);
            var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path, other));
            Assert.Contains(((INetwork)net).Fingerprint, e.Message);
            Assert.Contains(other.Fingerprint, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

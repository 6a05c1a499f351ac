using System;
using System.Diagnostics;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>Heavy tests that train on real MNIST run one at a time (2-core machines).</summary>
[CollectionDefinition(Name)]
public sealed class MnistTrainingCollection
{
    public const string Name = "MNIST training";
}

/// <summary>
/// The generated LeNet-5 learns real MNIST: 5,000 training digits (fetched through the sample's own data path),
/// 2 epochs with the sample's default optimizer and schedule, then at least 90 % on 1,000 test digits.
/// </summary>
[Collection(MnistTrainingCollection.Name)]
public sealed class MnistTrainingTests(ITestOutputHelper output)
{
    /// <summary>The stated threshold; a working network reaches about 95 % here, chance is 10 %.</summary>
    private const double Threshold = 0.90;

    [Fact]
    public void LeNet5_reaches_90_percent_on_a_small_MNIST_slice_in_two_epochs()
    {
        var train = RealMnist.Train.Take(5_000);
        var test = RealMnist.Test.Take(1_000);
        INetwork net = App.CreateLeNet5();
        var settings = new TrainSettings { Epochs = 2, Threads = Environment.ProcessorCount, Seed = 7 };
        net.InitializeParameters(settings.Seed);
        long stepsPerEpoch = (train.Count + settings.BatchSize - 1) / settings.BatchSize;
        using var trainer = new Trainer(net, TrainCommand.CreateOptimizer(settings), new TrainerOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Seed = settings.Seed,
            Threads = settings.Threads,
            Normalization = MnistDataset.Normalization,
            Schedule = TrainCommand.CreateSchedule(settings, stepsPerEpoch),
        });
        var clock = Stopwatch.StartNew();

        var result = trainer.Fit(train, test);

        foreach (var epoch in result.History)
            output.WriteLine($"epoch {epoch.Epoch}: train loss {epoch.TrainLoss:0.0000} acc {epoch.TrainAccuracy:P2}, " +
                             $"test loss {epoch.Test!.Loss:0.0000} acc {epoch.Test.Accuracy:P2}, {epoch.Seconds:0.0} s");
        var predictions = Evaluator.Run(net, test, MnistDataset.Normalization, settings.Threads);
        output.WriteLine($"final test accuracy {predictions.Accuracy:P2} in {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(2, result.History.Count);
        Assert.True(result.History[1].TrainLoss < result.History[0].TrainLoss, "the training loss should fall");
        Assert.True(predictions.Accuracy >= Threshold, $"test accuracy {predictions.Accuracy:P2} is below {Threshold:P0}");
        // The sample's evaluator and the trainer's agree.
        Assert.Equal(result.History[1].Test!.Accuracy, predictions.Accuracy, 6);
    }
}

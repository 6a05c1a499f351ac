using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using CnnGen.Data;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Runtime;

public sealed class TrainerTests : IDisposable
{
    private const int Classes = 4, Side = 6;
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cnngen-trainer-" + Guid.NewGuid().ToString("N"));
    private static readonly ImageDataset Train = SyntheticData.Make(600, Classes, Side, Side, seed: 11, "train");
    private static readonly ImageDataset Test = SyntheticData.Make(200, Classes, Side, Side, seed: 12, "test");

    public TrainerTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LinearNet NewNet(float dropout = 0f, ulong seed = 3)
    {
        var net = new LinearNet(1, Side, Side, Classes, dropout);
        net.InitializeParameters(seed);
        return net;
    }

    private static (float[] Parameters, float[] State, TrainingResult Result) Run(TrainerOptions options, Func<Optimizer> optimizer, float dropout = 0f)
    {
        var net = NewNet(dropout);
        using var trainer = new Trainer(net, optimizer(), options);
        var result = trainer.Fit(Train, Test);
        return (net.Parameters.ToArray(), net.State.ToArray(), result);
    }

    private static void AssertBitIdentical(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"element {i}: {expected[i]:R} vs {actual[i]:R}");
    }

    [Fact]
    public void LearnsSeparableData()
    {
        var net = NewNet();
        var reports = new List<EpochReport>();
        var batches = new List<BatchProgress>();
        using var trainer = new Trainer(net, new Sgd(0.5f, momentum: 0.9f), new TrainerOptions { Epochs = 4, BatchSize = 32, ProgressInterval = 5 });
        trainer.EpochCompleted += reports.Add;
        trainer.BatchCompleted += batches.Add;
        var before = trainer.Evaluate(Test);
        var result = trainer.Fit(Train, Test);
        foreach (var r in reports)
            _output.WriteLine($"epoch {r.Epoch}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:P1}, test loss {r.Test!.Loss:F4} acc {r.Test.Accuracy:P1}, {r.SamplesPerSecond:F0} samples/s");

        Assert.Equal(4, reports.Count);
        Assert.Equal(reports, result.History);
        Assert.Equal((4, 4L * 19, 1UL, 32), (result.Progress.EpochsCompleted, result.Progress.StepsCompleted, result.Progress.Seed, result.Progress.BatchSize));
        Assert.False(result.Progress.StoppedEarly);
        // Stated threshold: a linear model separates these classes; 95% test accuracy after 4 epochs.
        Assert.True(reports[^1].Test!.Accuracy >= 0.95, $"test accuracy {reports[^1].Test!.Accuracy:P1}");
        Assert.True(reports[^1].Test!.Loss < before.Loss / 4, $"test loss {before.Loss} -> {reports[^1].Test!.Loss}");
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss);
        // 19 batches per epoch with an event every 5 and on the last: 5, 10, 15, 19.
        Assert.Equal(16, batches.Count);
        Assert.Equal(new[] { 5, 10, 15, 19 }, batches.GetRange(0, 4).ConvertAll(b => b.Batch));
        Assert.Equal(600, batches[3].Samples);
        Assert.All(batches, b => Assert.True(b.SamplesPerSecond > 0 && b.LearningRate == 0.5f));
        // UpdateRunningStatistics ran after the steps
        Assert.NotEqual(0f, net.State[0]);
    }

    [Fact]
    public void TrainingStepsDoNotAllocate()
    {
        // One thread: every batch runs on this thread, so its allocation counter sees everything.
        var net = NewNet();
        var allocated = new List<long>(64); // pre-sized: growing the list would allocate
        using var trainer = new Trainer(net, new Adam(0.01f), new TrainerOptions { Epochs = 1, BatchSize = 16, ProgressInterval = 1, MaxGradientNorm = 1f, Schedule = LearningRateSchedule.Cosine(0.01f) });
        trainer.BatchCompleted += _ => allocated.Add(GC.GetAllocatedBytesForCurrentThread());
        trainer.Fit(Train);
        Assert.Equal(38, allocated.Count);
        Assert.Equal(0, allocated[^1] - allocated[2]);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeights()
    {
        var options = new TrainerOptions { Epochs = 3, BatchSize = 40, Seed = 5, Lanes = 16, Schedule = LearningRateSchedule.Cosine(0.3f) };
        var a = Run(options, () => new Sgd(0.3f, 0.9f, nesterov: true, weightDecay: 1e-4f), dropout: 0.2f);
        var b = Run(options, () => new Sgd(0.3f, 0.9f, nesterov: true, weightDecay: 1e-4f), dropout: 0.2f);
        AssertBitIdentical(a.Parameters, b.Parameters);
        AssertBitIdentical(a.State, b.State);
        Assert.Equal(a.Result.History[^1].TrainLoss, b.Result.History[^1].TrainLoss);

        // and a different seed changes the shuffling and dropout, so the weights
        var c = Run(new TrainerOptions { Epochs = 3, BatchSize = 40, Seed = 6, Lanes = 16, Schedule = LearningRateSchedule.Cosine(0.3f) },
                    () => new Sgd(0.3f, 0.9f, nesterov: true, weightDecay: 1e-4f), dropout: 0.2f);
        Assert.NotEqual(a.Parameters, c.Parameters);
    }

    [Fact]
    public void TwoThreadsGiveBitIdenticalWeightsAcrossRuns()
    {
        var options = new TrainerOptions { Epochs = 3, BatchSize = 50, Seed = 8, Threads = 2, Lanes = 8, MaxGradientNorm = 0.5f, Schedule = LearningRateSchedule.OneCycle(0.05f) };
        var a = Run(options, () => new AdamW(0.05f), dropout: 0.1f);
        var b = Run(options, () => new AdamW(0.05f), dropout: 0.1f);
        AssertBitIdentical(a.Parameters, b.Parameters);
        AssertBitIdentical(a.State, b.State);
        Assert.Equal(a.Result.History[^1].Test!.Loss, b.Result.History[^1].Test!.Loss);
        Assert.True(a.Result.History[^1].Test!.Accuracy >= 0.95, $"2-thread test accuracy {a.Result.History[^1].Test!.Accuracy:P1}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GradientsLeftInTheNetworkBeforeFitDoNotLeakIntoTraining(int threads)
    {
        // The update zeroes each worker's gradients for its next batch, so a batch skips the clear; a second Fit on the
        // same trainer must still start from zero when the caller has written into the network's gradients in between.
        string checkpoint = Path.Combine(_dir, $"dirty{threads}.ckpt");
        TrainerOptions Options() => new() { Epochs = 2, BatchSize = 50, Seed = 9, Threads = threads, Lanes = 8, CheckpointPath = checkpoint, ProgressInterval = 1 };
        var uninterrupted = Run(Options(), () => new AdamW(0.05f));
        var net = NewNet();
        using var trainer = new Trainer(net, new AdamW(0.05f), Options());
        // stopped after the first batch of epoch 2, its update done: every worker's gradients are zero now
        using var cancel = new CancellationTokenSource();
        bool armed = true;
        trainer.BatchCompleted += b => { if (b.Epoch == 2 && armed) { armed = false; cancel.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Train, Test, cancel.Token));
        net.Gradients.Fill(1000f);
        trainer.LoadCheckpoint(checkpoint); // epoch 1's
        trainer.Fit(Train, Test);
        AssertBitIdentical(uninterrupted.Parameters, net.Parameters.ToArray());
    }

    [Theory]
    [InlineData(2, 16)]
    [InlineData(3, 1)]
    public void ThreadsComputeTheSameGradientsAsOneThread(int threads, int lanes)
    {
        // Without dropout the only difference between thread counts is the order of the gradient sum.
        var options1 = new TrainerOptions { Epochs = 2, BatchSize = 64, Seed = 4, Threads = 1, Lanes = lanes };
        var optionsN = new TrainerOptions { Epochs = 2, BatchSize = 64, Seed = 4, Threads = threads, Lanes = lanes };
        var one = Run(options1, () => new Sgd(0.2f, 0.9f));
        var many = Run(optionsN, () => new Sgd(0.2f, 0.9f));
        double maxDiff = 0;
        for (int i = 0; i < one.Parameters.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(one.Parameters[i] - many.Parameters[i]));
        _output.WriteLine($"maxdiff 1 vs {threads} threads: {maxDiff:E2}");
        Assert.True(maxDiff < 1e-4, $"maxdiff {maxDiff}");
        Assert.Equal(one.Result.History[^1].Test!.Confusion.Correct, many.Result.History[^1].Test!.Confusion.Correct);
    }

    [Fact]
    public void ResumeFromCheckpointEqualsUninterruptedRun()
    {
        string checkpoint = Path.Combine(_dir, "run.ckpt");
        var options = new TrainerOptions
        {
            Epochs = 4, BatchSize = 48, Seed = 21, Threads = 2, MaxGradientNorm = 1f,
            Schedule = LearningRateSchedule.OneCycle(0.02f), CheckpointPath = checkpoint,
        };
        var uninterrupted = Run(options, () => new Adam(0.02f, weightDecay: 1e-3f), dropout: 0.15f);

        // The same run, killed after epoch 2 (its checkpoint is on disk).
        using (var cancel = new CancellationTokenSource())
        {
            var net = NewNet(0.15f);
            using var trainer = new Trainer(net, new Adam(0.02f, weightDecay: 1e-3f), options);
            trainer.EpochCompleted += r => { if (r.Epoch == 2) cancel.Cancel(); };
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Train, Test, cancel.Token));
        }
        Assert.Equal(2, ModelFile.LoadCheckpoint(checkpoint, NewNet(0.15f), new Adam()).EpochsCompleted);

        // A fresh process: different initial weights, a new optimizer, then resume.
        var resumedNet = NewNet(0.15f, seed: 999);
        using var resumed = new Trainer(resumedNet, new Adam(0.02f, weightDecay: 1e-3f), options);
        resumed.LoadCheckpoint(checkpoint);
        Assert.Equal(2, resumed.Progress.EpochsCompleted);
        var result = resumed.Fit(Train, Test);
        Assert.Equal(new[] { 3, 4 }, new[] { result.History[0].Epoch, result.History[1].Epoch });
        AssertBitIdentical(uninterrupted.Parameters, resumedNet.Parameters.ToArray());
        AssertBitIdentical(uninterrupted.State, resumedNet.State.ToArray());
        Assert.Equal(uninterrupted.Result.Progress, result.Progress);
    }

    [Fact]
    public void ResumeWithADifferentSeedIsRefused()
    {
        string checkpoint = Path.Combine(_dir, "seed.ckpt");
        Run(new TrainerOptions { Epochs = 1, Seed = 1, CheckpointPath = checkpoint }, () => new Sgd(0.1f));
        var net = NewNet();
        var before = net.Parameters.ToArray();
        using var trainer = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 2, Seed = 2 });
        var e = Assert.Throws<InvalidOperationException>(() => trainer.LoadCheckpoint(checkpoint));
        Assert.Contains("seed 1", e.Message);
        Assert.Contains("seed 2", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndKeepsTheBestModel()
    {
        // A test set whose labels are unrelated to the images: as training sharpens the model, test loss rises.
        var scrambled = new byte[Test.Count];
        var rng = new Rng(77);
        for (int i = 0; i < scrambled.Length; i++) scrambled[i] = (byte)rng.NextInt(Classes);
        var pixels = new byte[Test.Count * Test.SampleSize];
        for (int i = 0; i < Test.Count; i++) Test.Pixels(i).CopyTo(pixels.AsSpan(i * Test.SampleSize));
        var noise = new ImageDataset(pixels, scrambled, 1, Side, Side, Classes, "noise");

        string best = Path.Combine(_dir, "best.cnn");
        var net = NewNet();
        float[]? bestWeights = null;
        var reports = new List<EpochReport>();
        using var trainer = new Trainer(net, new Sgd(0.5f), new TrainerOptions { Epochs = 20, BatchSize = 32, EarlyStoppingPatience = 2, BestModelPath = best });
        trainer.EpochCompleted += r =>
        {
            reports.Add(r);
            if (r.Improved) bestWeights = net.Parameters.ToArray();
        };
        var result = trainer.Fit(Train, noise);
        foreach (var r in reports) _output.WriteLine($"epoch {r.Epoch}: monitored test loss {r.Test!.Loss:F4} improved {r.Improved}");

        Assert.True(result.Progress.StoppedEarly);
        Assert.True(reports.Count < 20, $"{reports.Count} epochs ran");
        Assert.Equal(result.Progress.BestEpoch + 2, result.Progress.EpochsCompleted);
        Assert.False(reports[^1].Improved);
        Assert.False(reports[^2].Improved);
        Assert.True(reports[^1].StoppedEarly);
        var loaded = NewNet(seed: 50);
        ModelFile.Load(best, loaded);
        Assert.Equal(bestWeights, loaded.Parameters.ToArray());

        // Fit again does nothing: the run is over.
        Assert.Empty(trainer.Fit(Train, noise).History);
    }

    [Fact]
    public void NonFiniteLossStopsWithAClearError()
    {
        var net = NewNet();
        using var trainer = new Trainer(net, new Sgd(1e38f), new TrainerOptions { Epochs = 2, BatchSize = 16 });
        float[]? lastGood = null;
        trainer.BatchCompleted += _ => lastGood = net.Parameters.ToArray();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train, Test));
        _output.WriteLine(e.Message);
        Assert.Equal(1, e.Epoch);
        Assert.True(e.Batch >= 2, $"diverged at batch {e.Batch}");
        Assert.Contains($"epoch 1, batch {e.Batch}", e.Message);
        Assert.Contains("lower learning rate", e.Message);
    }

    [Fact]
    public void TrainerEvaluationMatchesSingleThreadedMetrics()
    {
        var net = NewNet();
        using var trainer = new Trainer(net, new Sgd(0.3f), new TrainerOptions { Epochs = 1, BatchSize = 30, Threads = 2, Lanes = 16 });
        trainer.Fit(Train);
        var parallel = trainer.Evaluate(Test);
        var single = Metrics.Evaluate(net, Test, PixelNormalization.Scale01, batchSize: 7, lanes: 1);
        Assert.Equal(200, parallel.Count);
        Assert.Equal(single.Confusion.Correct, parallel.Confusion.Correct);
        for (int a = 0; a < Classes; a++)
            for (int p = 0; p < Classes; p++)
                Assert.Equal(single.Confusion[a, p], parallel.Confusion[a, p]);
        Assert.Equal(single.Loss, parallel.Loss, 5);
    }

    [Fact]
    public void IncompatibleDataIsRefused()
    {
        using var trainer = new Trainer(NewNet(), new Sgd(0.1f));
        var wrongShape = SyntheticData.Make(10, Classes, 5, 5, 1, "small");
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(wrongShape));
        Assert.Contains("'small' has samples of 1x5x5", e.Message);
        Assert.Contains("takes 1x6x6", e.Message);
        var tooManyClasses = SyntheticData.Make(10, 9, Side, Side, 1, "nine");
        Assert.Contains("has 9 classes", Assert.Throws<ArgumentException>(() => trainer.Fit(tooManyClasses)).Message);
    }
}

public sealed class MetricsTests
{
    [Fact]
    public void ConfusionMatrixCountsAndAccuracies()
    {
        var m = new ConfusionMatrix(3);
        (int Actual, int Predicted)[] pairs = [(0, 0), (0, 0), (0, 1), (1, 1), (2, 0), (2, 2), (2, 2), (2, 1)];
        foreach (var (a, p) in pairs) m.Add(a, p);
        Assert.Equal(8, m.Total);
        Assert.Equal(5, m.Correct);
        Assert.Equal(5.0 / 8, m.Accuracy);
        Assert.Equal(2, m[0, 0]);
        Assert.Equal(1, m[2, 1]);
        Assert.Equal(new[] { 2.0 / 3, 1.0, 2.0 / 4 }, m.PerClassAccuracy());
        Assert.Contains("actual\\pred", m.ToString());

        var empty = new ConfusionMatrix(3);
        Assert.True(double.IsNaN(empty.ClassAccuracy(1)));
        empty.Add(m);
        Assert.Equal(m.Correct, empty.Correct);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(3, 0));
    }

    [Fact]
    public void ArgMaxAndCrossEntropy()
    {
        Assert.Equal(1, Metrics.ArgMax([0.1f, 0.7f, 0.7f, 0.2f]));
        Assert.Equal(-Math.Log(0.25f), Metrics.CrossEntropy([0.25f, 0.75f], 0), 12);
        Assert.Equal(-Math.Log(Metrics.MinProbability), Metrics.CrossEntropy([0f, 1f], 0), 12);
    }

    [Fact]
    public void EvaluateAZeroNetwork()
    {
        // zero weights: uniform probabilities, loss ln(4), every prediction is class 0 (the first maximum)
        var net = new LinearNet(1, 6, 6, 4);
        var data = SyntheticData.Make(50, 4, 6, 6, seed: 2);
        var result = Metrics.Evaluate(net, data, PixelNormalization.Scale01, batchSize: 16, lanes: 8);
        int zeros = 0;
        foreach (byte label in data.Labels) if (label == 0) zeros++;
        Assert.Equal(Math.Log(4), result.Loss, 6);
        Assert.Equal(zeros / 50.0, result.Accuracy);
        Assert.Equal(zeros, result.Confusion[0, 0]);
        Assert.Equal(1.0, result.Confusion.ClassAccuracy(0));
        Assert.Equal(0.0, result.Confusion.ClassAccuracy(1));
    }
}

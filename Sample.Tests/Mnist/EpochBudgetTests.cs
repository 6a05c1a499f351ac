using System;
using CnnGen.Data;
using CnnGen.Sample.Mnist;
using CnnGen.Sample.Mnist.Networks;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// The record preset's epoch count: what fits the budget at the measured cost of an epoch, at least 1 and at most the
/// preset's count.
/// </summary>
public sealed class EpochBudgetTests
{
    private static ImageDataset Data(int count)
    {
        var rng = new Random(5);
        var pixels = new byte[count * 28 * 28];
        rng.NextBytes(pixels);
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % 10);
        return new ImageDataset(pixels, labels, 1, 28, 28, 10, "noise");
    }

    private static EpochPlan Plan(TimeSpan budget, int maxEpochs, ImageDataset train, ImageDataset? evaluation) =>
        EpochBudget.Plan(() => new LeNet5(), new AdamW(1e-3f), new TrainerOptions { BatchSize = 64, Seed = 3, Threads = 2 },
                         train, evaluation, budget, maxEpochs);

    [Fact]
    public void The_count_is_what_fits_the_budget_at_the_measured_cost()
    {
        var train = Data(6_400);
        var evaluation = Data(1_000);
        var plan = Plan(TimeSpan.FromSeconds(3), 1_000, train, evaluation);
        Assert.True(plan.TrainPerSecond > 0 && double.IsFinite(plan.TrainPerSecond));
        Assert.True(plan.EvaluatePerSecond > 0 && double.IsFinite(plan.EvaluatePerSecond));
        Assert.Equal(train.Count / plan.TrainPerSecond + evaluation.Count / plan.EvaluatePerSecond, plan.EpochSeconds, 9);
        Assert.Equal((int)Math.Clamp(Math.Floor(3 / plan.EpochSeconds), 1, 1_000), plan.Epochs);
        Assert.False(plan.Capped);
    }

    [Fact]
    public void A_budget_too_short_for_one_epoch_still_trains_one_and_a_long_one_stops_at_the_presets_most()
    {
        var train = Data(3_200);
        var shortPlan = Plan(TimeSpan.FromMilliseconds(1), 20, train, null);
        Assert.Equal(1, shortPlan.Epochs);
        Assert.False(shortPlan.Capped);
        Assert.True(double.IsPositiveInfinity(shortPlan.EvaluatePerSecond)); // nothing to evaluate
        Assert.Equal(train.Count / shortPlan.TrainPerSecond, shortPlan.EpochSeconds, 9);

        var longPlan = Plan(TimeSpan.FromDays(1), 20, train, null);
        Assert.Equal(20, longPlan.Epochs);
        Assert.True(longPlan.Capped);
        string line = EpochBudget.Describe(longPlan, TimeSpan.FromDays(1), 20, "images");
        Assert.StartsWith("20 epochs, its most (", line);
        Assert.Contains("images/s training", line);
    }
}

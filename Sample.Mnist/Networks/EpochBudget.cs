using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime;
using System.Threading;
using System.Diagnostics;
using System.Globalization;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Networks;

/// <summary>
/// How many epochs fit a preset's time on this machine: <paramref name="Epochs"/>, from the measured cost of one
/// epoch (<paramref name="EpochSeconds"/>: training at <paramref name="TrainPerSecond"/> samples/s plus evaluating at
/// <paramref name="EvaluatePerSecond"/>), at least one and at most the preset's count (<paramref name="Capped"/> when
/// that cap, not the time, set it).
/// </summary>
public sealed record EpochPlan(int Epochs, double TrainPerSecond, double EvaluatePerSecond, double EpochSeconds, bool Capped);

/// <summary>
/// Measures, before training, what an epoch costs on this machine with the run's own settings (network, optimizer,
/// augmentation, batch size, threads): a scratch copy of the network trains passes of 48 batches of the training set
/// until three have run without JIT compilation, and evaluates a slice of the evaluation set.
/// The count it gives depends on the machine's speed at that moment; the run prints it, the checkpoint stores it (so
/// <c>--resume</c> continues the same schedule), and <c>--epochs</c> fixes it.
/// </summary>
public static class EpochBudget
{
    /// <summary>Training samples per pass of the probe.</summary>
    public const int ProbeSamples = 64 * 48;

    /// <summary>Most passes of the probe, and the most time it takes (it stops sooner, after <see cref="QuietPasses"/>).</summary>
    public const int MaxPasses = 40;
    public static readonly TimeSpan MaxProbeTime = TimeSpan.FromSeconds(8);

    /// <summary>Passes without JIT compilation the probe times before it stops.</summary>
    public const int QuietPasses = 3;

    /// <summary>Evaluation samples timed.</summary>
    public const int ProbeEvaluationSamples = 2_000;

    /// <summary>
    /// The epochs of <paramref name="train"/> (each followed by an evaluation of <paramref name="evaluation"/>) that fit
    /// <paramref name="budget"/>, between 1 and <paramref name="maxEpochs"/>. <paramref name="create"/> makes the scratch
    /// network; <paramref name="optimizer"/> is the run's kind of optimizer (a fresh one: the probe changes its state).
    /// </summary>
    public static EpochPlan Plan(Func<INetwork> create, Optimizer optimizer, TrainerOptions run, ImageDataset train,
                                 ImageDataset? evaluation, TimeSpan budget, int maxEpochs)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, 1);
        if (train.Count == 0) throw new ArgumentException($"Training set '{train.Name}' is empty.", nameof(train));

        INetwork probe = create();
        probe.InitializeParameters(run.Seed);
        var options = new TrainerOptions
        {
            Epochs = MaxPasses,
            BatchSize = run.BatchSize,
            Seed = run.Seed,
            Threads = run.Threads,
            Lanes = run.Lanes,
            Normalization = run.Normalization,
            Augmentation = run.Augmentation,
            MaxGradientNorm = run.MaxGradientNorm,
            ProgressInterval = int.MaxValue,
        };
        var slice = train.Take(ProbeSamples);
        using var trainer = new Trainer(probe, optimizer, options);
        // Passes over the slice until three have run with no method compiled during them: until then the JIT (which also
        // compiles the kernels on a background thread, on a core the training needs) slows the passes down, by half at
        // times. The rate is the median of the quiet passes (they still differ by 10-20 % on a shared machine); if the time
        // runs out first, the median of the passes after the first.
        var rates = new List<double>();
        var quiet = new List<double>();
        long compiled = JitInfo.GetCompiledMethodCount();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        trainer.EpochCompleted += report =>
        {
            long now = JitInfo.GetCompiledMethodCount();
            rates.Add(report.SamplesPerSecond);
            if (now == compiled && rates.Count >= 2) quiet.Add(report.SamplesPerSecond);
            compiled = now;
            if (quiet.Count >= QuietPasses || clock.Elapsed > MaxProbeTime) stop.Cancel();
        };
        try
        {
            trainer.Fit(slice, null, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        double trainRate = quiet.Count > 0 ? Median(quiet) : rates.Count == 1 ? rates[0] : Median(rates.Skip(1).ToList());

        double evaluateRate = double.PositiveInfinity, evaluateSeconds = 0;
        if (evaluation is { Count: > 0 })
        {
            var part = evaluation.Take(ProbeEvaluationSamples);
            evaluateRate = 0;
            for (int i = 0; i < 3; i++) // the first one warms up
            {
                var watch = Stopwatch.StartNew();
                trainer.Evaluate(part);
                if (i > 0) evaluateRate = Math.Max(evaluateRate, part.Count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9));
            }
            evaluateSeconds = evaluation.Count / evaluateRate;
        }

        double epochSeconds = train.Count / trainRate + evaluateSeconds;
        double fit = Math.Floor(budget.TotalSeconds / epochSeconds);
        int epochs = (int)Math.Clamp(fit, 1, maxEpochs);
        return new EpochPlan(epochs, trainRate, evaluateRate, epochSeconds, Capped: fit >= maxEpochs);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /// <summary>What the run prints of the plan, after "Preset record: ".</summary>
    public static string Describe(EpochPlan plan, TimeSpan budget, int maxEpochs, string noun)
    {
        string evaluating = double.IsFinite(plan.EvaluatePerSecond) ? FormattableString.Invariant($", {plan.EvaluatePerSecond:N0}/s evaluating") : "";
        string measured = FormattableString.Invariant(
            $"measured before training: {plan.TrainPerSecond:N0} {noun}/s training{evaluating}, {plan.EpochSeconds:0.0} s an epoch");
        double fit = Math.Floor(budget.TotalSeconds / plan.EpochSeconds);
        return plan.Capped
            ? FormattableString.Invariant($"{plan.Epochs} epochs, its most ({fit:0} would fit its {budget.TotalSeconds:0} s training budget on this machine; {measured}); --epochs N sets the count")
            : FormattableString.Invariant($"{plan.Epochs} epochs, what fits its {budget.TotalSeconds:0} s training budget on this machine (at most {maxEpochs}; {measured}); --epochs N sets the count");
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Training;
using Spectre.Console;

namespace CnnGen.Sample.Mnist.Reporting;

/// <summary>
/// Shows training as it happens: on a terminal a Spectre progress bar per epoch (samples/s, loss, accuracy,
/// ETA) that turns into the epoch's result line; elsewhere (CI, pipes) one plain line per epoch.
/// </summary>
public abstract class TrainingView
{
    private readonly List<EpochRecord> _history = [];

    protected TrainingView(AppConsole console, int epochs, int trainCount, string noun, string monitored)
    {
        Console = console;
        Epochs = epochs;
        TrainCount = trainCount;
        Noun = noun;
        Monitored = monitored;
    }

    protected AppConsole Console { get; }
    protected int Epochs { get; }
    protected int TrainCount { get; }
    /// <summary>"digits" or "images", for the throughput.</summary>
    protected string Noun { get; }
    /// <summary>The set evaluated after every epoch: "test" or "validation".</summary>
    protected string Monitored { get; }

    /// <summary>The epochs finished so far.</summary>
    public IReadOnlyList<EpochRecord> History => _history;

    /// <param name="noun">"digits" or "images" (the throughput's unit).</param>
    /// <param name="monitored">The set evaluated after each epoch, as the lines name it: "test" or "validation".</param>
    public static TrainingView Create(AppConsole console, int epochs, int trainCount, string noun = "digits", string monitored = "test") =>
        console.Live ? new LiveView(console, epochs, trainCount, noun, monitored) : new PlainView(console, epochs, trainCount, noun, monitored);

    /// <summary>Runs <see cref="Trainer.Fit"/> with this view attached; <paramref name="monitored"/> is evaluated after every epoch.</summary>
    public TrainingResult Run(Trainer trainer, ImageDataset train, ImageDataset monitored, CancellationToken cancellationToken)
    {
        void OnEpoch(EpochReport report)
        {
            var record = new EpochRecord(report.Epoch, report.TrainLoss, report.TrainAccuracy,
                                         report.Test?.Loss ?? double.NaN, report.Test?.Accuracy ?? double.NaN,
                                         TimeSpan.FromSeconds(report.Seconds), report.LearningRate);
            _history.Add(record);
            EpochDone(record, report);
        }
        trainer.BatchCompleted += BatchDone;
        trainer.EpochCompleted += OnEpoch;
        try
        {
            return Fit(() => trainer.Fit(train, monitored, cancellationToken));
        }
        finally
        {
            trainer.BatchCompleted -= BatchDone;
            trainer.EpochCompleted -= OnEpoch;
        }
    }

    protected virtual TrainingResult Fit(Func<TrainingResult> fit) => fit();
    protected abstract void BatchDone(BatchProgress progress);
    protected abstract void EpochDone(EpochRecord record, EpochReport report);

    /// <summary>"Epoch  3/12  train loss 0.0512 acc 98.42 %  test loss 0.0398 acc 98.81 %  3.3 s  18,230 digits/s" (or "validation loss", "images/s").</summary>
    public string Line(EpochRecord r, double samplesPerSecond)
    {
        int width = Epochs.ToString(CultureInfo.InvariantCulture).Length;
        string epoch = r.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width);
        string test = double.IsNaN(r.TestLoss) ? "" : string.Create(CultureInfo.InvariantCulture,
            $"  {Monitored} loss {r.TestLoss:0.0000} acc {100 * r.TestAccuracy:0.00}%");
        return string.Create(CultureInfo.InvariantCulture,
            $"Epoch {epoch}/{Epochs}  train loss {r.TrainLoss:0.0000} acc {100 * r.TrainAccuracy:0.00}%{test}  " +
            $"{r.Duration.TotalSeconds:0.0} s  {samplesPerSecond:N0} {Noun}/s  lr {r.LearningRate:0.#####}");
    }

    private sealed class PlainView(AppConsole console, int epochs, int trainCount, string noun, string monitored)
        : TrainingView(console, epochs, trainCount, noun, monitored)
    {
        protected override void BatchDone(BatchProgress progress) { }
        protected override void EpochDone(EpochRecord record, EpochReport report)
        {
            Console.Out.WriteLine(Line(record, report.SamplesPerSecond));
            Console.Out.Flush();
        }
    }

    private sealed class LiveView(AppConsole console, int epochs, int trainCount, string noun, string monitored)
        : TrainingView(console, epochs, trainCount, noun, monitored)
    {
        private ProgressContext? _context;
        private ProgressTask? _task;
        private int _taskEpoch;

        protected override TrainingResult Fit(Func<TrainingResult> fit) =>
            Console.Ansi.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                         new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    _context = context;
                    return fit();
                });

        private ProgressTask TaskFor(int epoch)
        {
            if (_task is null || _taskEpoch != epoch)
            {
                _task = _context!.AddTask(Markup.Escape($"Epoch {epoch}/{Epochs}  starting"), maxValue: TrainCount);
                _taskEpoch = epoch;
            }
            return _task;
        }

        protected override void BatchDone(BatchProgress p)
        {
            var task = TaskFor(p.Epoch);
            task.Value = p.Samples;
            string state = p.Batch == p.BatchesPerEpoch ? $"  evaluating on the {Monitored} set..." : "";
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Epoch {p.Epoch}/{Epochs}  loss {p.MeanLoss:0.0000}  acc {100 * p.Accuracy:0.00}%  {p.SamplesPerSecond:N0} {Noun}/s{state}"));
        }

        protected override void EpochDone(EpochRecord record, EpochReport report)
        {
            var task = TaskFor(record.Epoch);
            task.Value = TrainCount;
            task.Description = Markup.Escape(Line(record, report.SamplesPerSecond));
            task.StopTask();
        }
    }
}

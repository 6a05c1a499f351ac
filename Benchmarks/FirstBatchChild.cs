using System;
using System.Diagnostics;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

// Also compiled into Sample.Aot (linked), for its NativeAOT 'firstbatch' command: keep it free of Benchmarks-only types.

/// <summary>
/// The child side of the first-batch measurement: trains one batch of 64 synthetic samples (seed 1) through the
/// Runtime <see cref="Trainer"/> (SGD lr 0.05 momentum 0.9, 1 thread, preferred lanes), prints "FIRSTBATCH_DONE"
/// as soon as the batch is done, then "FIRSTBATCH sinceProcessStartMs sinceMainMs lanes".
/// </summary>
public static class FirstBatchChild
{
    /// <param name="net">A freshly made network (LeNet-5); its construction counts only through <paramref name="mainEntered"/>.</param>
    /// <param name="mainEntered">Stopwatch timestamp taken first thing in Main.</param>
    public static int Run(INetwork net, long mainEntered)
    {
        net.InitializeParameters(1);
        var data = BenchData.Synthetic(64, 1);
        using var trainer = new Trainer(net, new Sgd(0.05f, 0.9f), new TrainerOptions { Epochs = 1, BatchSize = 64, Threads = 1, ProgressInterval = 1 });
        long done = 0;
        DateTime doneAt = default;
        trainer.BatchCompleted += _ =>
        {
            if (done != 0) return;
            done = Stopwatch.GetTimestamp();
            doneAt = DateTime.UtcNow;
            Console.Out.WriteLine("FIRSTBATCH_DONE"); // the parent's clock stops when it reads this
            Console.Out.Flush();
        };
        trainer.Fit(data);
        double sinceStart = (doneAt - Process.GetCurrentProcess().StartTime.ToUniversalTime()).TotalMilliseconds;
        double sinceMain = Stopwatch.GetElapsedTime(mainEntered, done).TotalMilliseconds;
        Console.WriteLine(FormattableString.Invariant($"FIRSTBATCH {sinceStart:F2} {sinceMain:F2} {trainer.Lanes}"));
        return 0;
    }
}

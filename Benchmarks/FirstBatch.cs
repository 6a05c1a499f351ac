using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

/// <summary>
/// Time from process start to the first trained batch: the parent launches this program in <c>firstbatch</c>
/// mode, which builds LeNet-5, makes 64 synthetic samples and trains one batch of 64 through the Runtime Trainer.
/// </summary>
public static class FirstBatch
{
    public readonly record struct Result(double LaunchMs, double SinceStartMs, double SinceMainMs);

    /// <summary>The child: trains one batch and prints "FIRSTBATCH_DONE" at once, then "FIRSTBATCH sinceProcessStartMs sinceMainMs".</summary>
    public static int Child()
    {
        var net = new LeNet5();
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
        double sinceMain = Stopwatch.GetElapsedTime(Program.MainEntered, done).TotalMilliseconds;
        Console.WriteLine(FormattableString.Invariant($"FIRSTBATCH {sinceStart:F2} {sinceMain:F2}"));
        return 0;
    }

    /// <summary>The parent: launches the child <paramref name="runs"/> times and returns medians.</summary>
    public static Result Measure(int runs)
    {
        var launch = new List<double>();
        var sinceStart = new List<double>();
        var sinceMain = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var info = SelfStartInfo();
            info.ArgumentList.Add("firstbatch");
            info.RedirectStandardOutput = true;
            info.UseShellExecute = false;
            long started = Stopwatch.GetTimestamp();
            using var p = Process.Start(info)!;
            string? line;
            double seen = double.NaN;
            string? report = null;
            while ((line = p.StandardOutput.ReadLine()) is not null)
            {
                if (line == "FIRSTBATCH_DONE") seen = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                else if (line.StartsWith("FIRSTBATCH ")) report = line;
            }
            p.WaitForExit();
            if (report is null || p.ExitCode != 0)
                throw new InvalidOperationException($"The firstbatch child failed (exit {p.ExitCode}).");
            var parts = report.Split(' ');
            launch.Add(seen);
            sinceStart.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
            sinceMain.Add(double.Parse(parts[2], CultureInfo.InvariantCulture));
            Console.WriteLine($"  run {i + 1}: {seen:F0} ms from launch, {sinceStart[^1]:F0} ms by the child's process start time, {sinceMain[^1]:F0} ms after Main");
        }
        return new Result(Compare.Median(launch), Compare.Median(sinceStart), Compare.Median(sinceMain));
    }

    /// <summary>How to start this program again: the apphost directly, or "dotnet CnnGen.Benchmarks.dll".</summary>
    private static ProcessStartInfo SelfStartInfo()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's executable.");
        var info = new ProcessStartInfo(host);
        if (System.IO.Path.GetFileNameWithoutExtension(host) == "dotnet")
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        return info;
    }
}

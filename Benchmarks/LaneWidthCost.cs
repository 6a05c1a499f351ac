using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

/// <summary>
/// <c>lanes</c> mode: LeNet-5 training throughput and one-sample Predict latency at every lane width (1, 4, 8, 16) in
/// one invocation, on this CPU. The 4-lane figure is the stand-in for ARM64 and WebAssembly (Vector128 with a
/// hardware FMA); widths the CPU does not accelerate are measured too and say so.
/// </summary>
public static class LaneWidthCost
{
    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        int runs = 3, threads = 2, batches = 150;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"Option {args[i]} needs a value.");
            int Positive(string name) => int.TryParse(Value(), out int v) && v > 0 ? v : throw new UsageException($"{name} must be a positive integer.");
            switch (args[i])
            {
                case "--runs": runs = Positive("--runs"); break;
                case "--threads": threads = Positive("--threads"); break;
                case "--batches": batches = Positive("--batches"); break;
                default: throw new UsageException($"Unknown option '{args[i]}'.");
            }
        }
        var data = BenchData.Synthetic(batches * 64, 1);
        Console.WriteLine($"LeNet-5, batch 64, SGD lr 0.05 momentum 0.9, {batches} batches per run ({data.Count:N0} synthetic samples), " +
                          $"{threads} thread(s), medians of {runs}; preferred lanes here {NetworkWorkspace.PreferredLanes}; load {Compare.LoadAverage()}");
        Console.WriteLine("lanes | accelerated | training samples/s | Predict us");
        foreach (int lanes in LaneWidths.All)
        {
            var rates = new List<double>();
            Train(data, lanes, threads); // warm-up: JIT
            for (int r = 0; r < runs; r++) rates.Add(Train(data, lanes, threads));
            double predict = PredictMicroseconds(data, lanes);
            bool accelerated = lanes switch
            {
                16 => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
                8 => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
                4 => System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated,
                _ => true,
            };
            Console.WriteLine($"{lanes,5} | {(accelerated ? "yes" : "no"),11} | {Compare.Median(rates),18:N0} | {predict,10:F1}");
        }
        return 0;
    }

    private static double Train(ImageDataset data, int lanes, int threads)
    {
        var net = new LeNet5();
        net.InitializeParameters(1);
        using var trainer = new Trainer(net, new Sgd(0.05f, 0.9f),
            new TrainerOptions { Epochs = 1, BatchSize = 64, Seed = 1, Threads = threads, Lanes = lanes, Normalization = PixelNormalization.Scale01 });
        return trainer.Fit(data).History[^1].SamplesPerSecond;
    }

    /// <summary>Median latency of <c>Predict&lt;TLane&gt;</c> on one sample at <paramref name="lanes"/>, in microseconds.</summary>
    private static double PredictMicroseconds(ImageDataset data, int lanes)
    {
        var net = new LeNet5();
        net.InitializeParameters(1);
        var image = data.Pixels(0).ToArray().Select(b => b / 255f).ToArray();
        var probabilities = new float[LeNet5.OutputSize];
        Action once = lanes switch
        {
            1 => () => net.Predict<Lane1>(image, probabilities),
            4 => () => net.Predict<Lane4>(image, probabilities),
            8 => () => net.Predict<Lane8>(image, probabilities),
            _ => () => net.Predict<Lane16>(image, probabilities),
        };
        for (int i = 0; i < 200; i++) once();
        var times = new double[1000];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            once();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return Compare.Median(times);
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

/// <summary>
/// <c>augment</c> mode: what augmentation costs LeNet-5 training. One invocation trains one epoch through the Runtime
/// <see cref="Trainer"/> without and with augmentation, alternating (A B A B ...) so drift hits both alike, and prints
/// the medians, their ratio, and the time of <see cref="Augmentation.Apply(ReadOnlySpan{byte}, Span{byte}, int, int, int, ulong)"/>
/// alone per image.
/// </summary>
public static class AugmentationCost
{
    /// <summary>The record preset's augmentation for digits (Sample.Mnist --preset record).</summary>
    public const string DefaultSpec = "translate=2,rotate=10,scale=0.9-1.1,shear=5";

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string? dataDirectory = null;
        string spec = DefaultSpec;
        int runs = 5, threads = 2;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": dataDirectory = Value(); break;
                case "--augment": spec = Value(); break;
                case "--runs": runs = int.TryParse(Value(), out int r) && r > 0 ? r : throw new UsageException("--runs must be a positive integer."); break;
                case "--threads": threads = int.TryParse(Value(), out int t) && t > 0 ? t : throw new UsageException("--threads must be a positive integer."); break;
                default: throw new UsageException($"Unknown option '{args[i]}'.");
            }
        }
        Augmentation augmentation;
        try { augmentation = Augmentation.Parse(spec); }
        catch (FormatException e) { throw new UsageException(e.Message); }

        ImageDataset data = dataDirectory is { } dir ? BenchData.Mnist(dir) : BenchData.Synthetic(60_000, 1);
        Console.WriteLine($"LeNet-5, one epoch of {data.Count:N0} ({data.Name}), batch 64, SGD lr 0.05 momentum 0.9, {threads} thread(s), lanes {NetworkWorkspace.PreferredLanes}; load {Compare.LoadAverage()}");
        Console.WriteLine($"Augmentation: {augmentation.ToSpec()}");

        // the augmentation alone, one image at a time on this thread (the second pass: the first one compiles it)
        var output = new byte[data.SampleSize];
        int images = Math.Min(data.Count, 20_000);
        double perImage = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < images; i++)
                augmentation.Apply(data.Pixels(i), output, data.Channels, data.Height, data.Width, (ulong)i);
            perImage = Stopwatch.GetElapsedTime(start).TotalMicroseconds / images;
        }
        Console.WriteLine($"Augmentation.Apply alone: {perImage:F2} us per image (1 thread, {images:N0} images)");

        var plain = new List<double>();
        var augmented = new List<double>();
        var ratios = new List<double>();
        Epoch(data, null, threads); // warm-up: JIT
        for (int run = 0; run < runs; run++)
        {
            double a = Epoch(data, null, threads), b = Epoch(data, augmentation, threads);
            plain.Add(a);
            augmented.Add(b);
            ratios.Add(b / a);
            Console.WriteLine($"  run {run + 1}: without {a:N0} samples/s, with {b:N0} samples/s ({b / a:P1})");
        }
        double median = Compare.Median(ratios);
        Console.WriteLine($"Median: without {Compare.Median(plain):N0} samples/s, with {Compare.Median(augmented):N0} samples/s; " +
                          $"with / without {median:P1} (cost {1 - median:P1} of throughput; median of the {runs} paired ratios)");
        return 0;
    }

    /// <summary>Training samples/s of one epoch of a fresh LeNet-5.</summary>
    private static double Epoch(ImageDataset data, Augmentation? augmentation, int threads)
    {
        var net = new LeNet5();
        net.InitializeParameters(1);
        using var trainer = new Trainer(net, new Sgd(0.05f, 0.9f),
            new TrainerOptions { Epochs = 1, BatchSize = 64, Seed = 1, Threads = threads, Augmentation = augmentation });
        return trainer.Fit(data).History[^1].SamplesPerSecond;
    }
}

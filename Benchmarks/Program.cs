using System;
using System.Linq;

namespace CnnGen.Benchmarks;

/// <summary>
/// Entry point. Modes:
///   compare (default)  CnnGen vs PyTorch, LeNet-5, same data, batch, optimizer and thread counts, in one invocation
///   bdn                BenchmarkDotNet: TrainStep (batch 64, lanes 16/8/1), Infer (batch 1000), Predict, optimizer step
///   augment            LeNet-5 training throughput with and without augmentation, paired runs
///   lanes              LeNet-5 training and Predict at every lane width (1, 4, 8, 16)
///   family             LeNet-5, a two-conv net, a VGG-style BatchNorm net and a ResNet: CnnGen vs PyTorch, training and inference
///   peak               the machine's FP32 FMA peak, measured (what compare's "% peak" divides by)
///   memory             internal: trains a family net for 30 batches and prints its peak working set and what it needs
///   firstbatch         internal: trains one batch right after start-up and prints the time since process start
///                      (Sample.Aot has the same command, compiled with NativeAOT)
/// </summary>
public static class Program
{
    /// <summary>When <see cref="Main"/> was entered (Stopwatch ticks).</summary>
    public static long MainEntered { get; private set; }

    public static int Main(string[] args)
    {
        MainEntered = System.Diagnostics.Stopwatch.GetTimestamp();
        string mode = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "compare";
        string[] rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        try
        {
            switch (mode)
            {
                case "compare":
                    return Compare.Run(CompareOptions.Parse(rest));
                case "bdn":
                    return Bdn.Run(rest);
                case "augment":
                    return AugmentationCost.Run(rest);
                case "lanes":
                    return LaneWidthCost.Run(rest);
                case "family":
                    return Family.Run(Family.Options.Parse(rest));
                case "peak":
                    var peak = FmaPeak.Measure(rest.Length > 0 ? rest[0].Split(',').Select(int.Parse) : [1, Environment.ProcessorCount]);
                    Console.WriteLine("FP32 FMA peak, measured: " + peak.Describe());
                    return 0;
                case "predict":
                    return PredictCost.Run(rest);
                case "firstbatch":
                    return FirstBatch.Child(rest);
                case "memory":
                    return Family.MemoryChild(rest);
                case "help" or "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"Unknown mode '{mode}'.\n\n{Usage}");
                    return 2;
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{e.Message}\n\n{Usage}");
            return 2;
        }
    }

    public const string Usage = """
        Usage: dotnet run -c Release --project Benchmarks -- [mode] [options]

        Modes:
          compare   (default) train LeNet-5 with CnnGen (Runtime Trainer) and with PyTorch in one invocation,
                    same data, batch 64, SGD lr 0.05 momentum 0.9, same thread counts; print samples/s, the
                    ratio, GFLOP/s, fraction of FP32 peak, inference and Predict latency, first-batch latency,
                    peak working set.
          augment   LeNet-5 training, one epoch, without and with augmentation in turn (--runs 5,
                    --threads 2, --data DIR, --augment SPEC; default the record preset's digits
                    augmentation): samples/s of each, their ratio, and Augmentation.Apply per image.
          lanes     LeNet-5 training samples/s and one-sample Predict latency at lane widths 1, 4, 8
                    and 16 (--runs 3, --threads 2, --batches 150): 4 lanes stands in for ARM64.
          family    the family of nets (lenet5, twoconv, vgg, resnet; FamilyNets.cs) with CnnGen and with
                    PyTorch in one invocation: training (batch 64, SGD momentum 0.9) and inference (batch
                    1000) samples/s, GFLOP/s, % of the measured FMA peak, CnnGen/PyTorch, 2-thread
                    scaling, one-sample latency. Options: --nets LIST, --threads LIST (1,2), --runs N (3),
                    --seconds S per training run (3), --data DIR (MNIST IDX; default synthetic), --python
                    PATH, --no-torch, --no-ort (ONNX Runtime, the inference peer), --train-only (no inference or Predict timing).
          peak      the FP32 FMA peak of this machine, measured (independent FMA chains at each accelerated
                    vector width, 1 thread and all threads; optional thread list, e.g. peak 1,2): the figure
                    compare's "% peak" divides by.
          predict   one-sample Predict latency of the family's nets at 4, 8 and 16 lanes and the preferred
                    width (optional net list, e.g. predict lenet5); predict --loop NET LANES SECONDS
                    only calls Predict (for perf).
          bdn       BenchmarkDotNet, in process: TrainStep (batch 64, lanes 16/8/1), Infer (batch 1000),
                    Predict (1 sample), SGD step. --quick = short run; other arguments go to
                    BenchmarkDotNet (default --filter '*'), e.g. bdn --quick --filter '*TrainStep*'.

        compare options:
          --data DIR        MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]) in DIR;
                            default: 60,000 random 28x28 byte images and labels from --seed
          --threads LIST    thread counts, comma-separated (default 1,2)
          --runs N          training runs per thread count and side; medians are printed (default 3)
          --warmup N        batches trained before the timed ones in each run (default 50)
          --batches N       timed batches per run (default: the rest of a 60,000-sample epoch, 887)
          --seed N          data and initialization seed (default 1)
          --python PATH     Python with torch (default /usr/bin/python3, Debian's)
          --no-torch        CnnGen only
          --aot PATH        NativeAOT Sample.Aot binary for the first-batch figure (default: Sample.Aot's publish
                            directory, bin/Release/net10.0/<rid>/publish, when 'dotnet publish Sample.Aot -c Release
                            -r <rid>' has been run; otherwise only the JIT figure is measured)
        """;
}

/// <summary>A bad command line.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Options of the compare mode.</summary>
public sealed record CompareOptions
{
    public string? DataDirectory { get; init; }
    public int[] Threads { get; init; } = [1, 2];
    public int Runs { get; init; } = 3;
    public int Warmup { get; init; } = 50;
    public int? Batches { get; init; }
    public ulong Seed { get; init; } = 1;
    public string Python { get; init; } = "/usr/bin/python3";
    public bool Torch { get; init; } = true;
    public string? AotBinary { get; init; }
    public int BatchSize => 64;
    public float LearningRate => 0.05f;
    public float Momentum => 0.9f;

    public static CompareOptions Parse(string[] args)
    {
        var o = new CompareOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value()
            {
                if (i + 1 >= args.Length) throw new UsageException($"Option {args[i]} needs a value.");
                return args[++i];
            }
            int Positive(string text, string name) =>
                int.TryParse(text, out int v) && v > 0 ? v : throw new UsageException($"{name} must be a positive integer, not '{text}'.");
            switch (args[i])
            {
                case "--data": o = o with { DataDirectory = Value() }; break;
                case "--threads":
                    o = o with { Threads = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Positive(t, "--threads")).ToArray() };
                    if (o.Threads.Length == 0) throw new UsageException("--threads needs at least one count.");
                    break;
                case "--runs": o = o with { Runs = Positive(Value(), "--runs") }; break;
                case "--warmup": o = o with { Warmup = int.TryParse(Value(), out int w) && w >= 0 ? w : throw new UsageException("--warmup must be 0 or more.") }; break;
                case "--batches": o = o with { Batches = Positive(Value(), "--batches") }; break;
                case "--seed": o = o with { Seed = ulong.TryParse(Value(), out ulong s) ? s : throw new UsageException("--seed must be a non-negative integer.") }; break;
                case "--python": o = o with { Python = Value() }; break;
                case "--no-torch": o = o with { Torch = false }; break;
                case "--aot":
                    o = o with { AotBinary = Value() };
                    if (!System.IO.File.Exists(o.AotBinary)) throw new UsageException($"--aot {o.AotBinary}: no such file (publish Sample.Aot first: dotnet publish Sample.Aot -c Release -r linux-x64).");
                    break;
                default: throw new UsageException($"Unknown option '{args[i]}'.");
            }
        }
        return o;
    }
}

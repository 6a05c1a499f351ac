using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

/// <summary>
/// The family of nets (<see cref="FamilyNet.All"/>), CnnGen against PyTorch in one invocation: same nets, data,
/// batch 64, SGD momentum 0.9 and thread counts; training and inference (batch 1000) samples/s, GFLOP/s, % of the
/// FMA peak measured at start, ratios, 2-thread scaling and one-sample latency, medians of several runs.
/// </summary>
public static class Family
{
    public sealed record Options
    {
        public string? DataDirectory { get; init; }
        public string[] Nets { get; init; } = FamilyNet.All.Select(n => n.Key).ToArray();
        public int[] Threads { get; init; } = [1, 2];
        public int Runs { get; init; } = 3;
        public double Seconds { get; init; } = 3;
        public string Python { get; init; } = "/usr/bin/python3";
        public bool Torch { get; init; } = true;
        /// <summary>Training only: no inference or Predict timing (what profile-layers.sh profiles).</summary>
        public bool TrainOnly { get; init; }
        /// <summary>Inference only: no training runs (what profile-layers.sh --infer profiles).</summary>
        public bool InferOnly { get; init; }
        /// <summary>ONNX Runtime as an inference peer (the nets exported by CnnGen.Onnx).</summary>
        public bool Ort { get; init; } = true;
        public ulong Seed { get; init; } = 1;
        public const int BatchSize = 64;
        public const float LearningRate = 0.05f, Momentum = 0.9f;

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"Option {args[i]} needs a value.");
                int Positive(string text, string name) =>
                    int.TryParse(text, out int v) && v > 0 ? v : throw new UsageException($"{name} must be a positive integer, not '{text}'.");
                switch (args[i])
                {
                    case "--data": o = o with { DataDirectory = Value() }; break;
                    case "--nets":
                        var nets = Value().Split(',', StringSplitOptions.RemoveEmptyEntries);
                        foreach (var n in nets)
                            if (FamilyNet.All.All(f => f.Key != n))
                                throw new UsageException($"--nets: unknown net '{n}'; the family is {string.Join(", ", FamilyNet.All.Select(f => f.Key))}.");
                        o = o with { Nets = nets };
                        break;
                    case "--threads": o = o with { Threads = Value().Split(',').Select(t => Positive(t, "--threads")).ToArray() }; break;
                    case "--runs": o = o with { Runs = Positive(Value(), "--runs") }; break;
                    case "--seconds":
                        string s = Value();
                        o = o with { Seconds = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 ? d : throw new UsageException($"--seconds must be a positive number, not '{s}'.") };
                        break;
                    case "--python": o = o with { Python = Value() }; break;
                    case "--no-torch": o = o with { Torch = false }; break;
                    case "--train-only": o = o with { TrainOnly = true }; break;
                    case "--infer-only": o = o with { InferOnly = true }; break;
                    case "--no-ort": o = o with { Ort = false }; break;
                    default: throw new UsageException($"Unknown family option '{args[i]}'.");
                }
            }
            if (o.TrainOnly && o.InferOnly)
                throw new UsageException("--train-only and --infer-only exclude each other.");
            return o;
        }
    }

    private sealed record Row(FamilyNet Net, int Threads, double[] Train, double Infer, double PredictUs, JsonElement? Torch, OrtSide.Result? Ort);

    public static int Run(Options o)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        Console.WriteLine($"CnnGen.Benchmarks family — {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, lanes {NetworkWorkspace.PreferredLanes}, load at start {Compare.LoadAverage()}");
        var fma = FmaPeak.Measure(o.Threads.Prepend(1));
        Console.WriteLine("FP32 FMA peak, measured: " + fma.Describe());
        var nets = FamilyNet.All.Where(n => o.Nets.Contains(n.Key)).ToList();
        foreach (var n in nets)
        {
            var probe = n.Create();
            if (probe.ParameterCount != n.Cost.Parameters)
                throw new InvalidOperationException($"{n.Key}: NetCost derives {n.Cost.Parameters} parameters, the generated {probe.Name} has {probe.ParameterCount}; fix FamilyNets.cs.");
        }

        ImageDataset all = o.DataDirectory is { } dir ? BenchData.Mnist(dir) : BenchData.Synthetic(60_000, o.Seed);
        Console.WriteLine($"Data: {all.Name}, {all.Count:N0} samples, kept as bytes and converted per batch on both sides (x/255).");
        // with --infer-only PyTorch is not run at all (its inference figures come from its training child)
        var torch = o.Torch && !o.InferOnly ? TorchSide.Probe(o.Python) : null;
        Console.WriteLine(torch switch
        {
            null => o.InferOnly ? "PyTorch: skipped (--infer-only)." : "PyTorch: skipped (--no-torch).",
            { Available: true } t => $"PyTorch {t.Version} via {o.Python}.",
            var t => $"PyTorch: NOT AVAILABLE ({t.Problem}); CnnGen only. Install: apt-get install -y python3-torch libopenblas0-openmp",
        });
        string? raw = null;
        if (torch is { Available: true })
        {
            raw = Path.Combine(Path.GetTempPath(), $"cnngen-family-{Environment.ProcessId}.bin");
            BenchData.WriteRaw(all, raw);
        }

        var rows = new List<Row>();
        try
        {
            foreach (var n in nets)
                foreach (int threads in o.Threads)
                {
                    // Batches for about --seconds per run at a third of the peak, within one pass over the data.
                    double guess = fma.Gflops(threads) * 1e9 / 3 / n.Cost.TrainFlop;
                    int warmup = Math.Clamp((int)(guess * 0.5 / Options.BatchSize), 3, 50);
                    int batches = Math.Clamp((int)(guess * o.Seconds / Options.BatchSize), 10, all.Count / Options.BatchSize - warmup);
                    var data = all.Take((warmup + batches) * Options.BatchSize);
                    var train = new double[o.InferOnly ? 0 : o.Runs];
                    for (int r = 0; r < train.Length; r++)
                    {
                        train[r] = TrainCnnGen(n, data, threads, warmup, o.Seed + (ulong)r);
                        Console.WriteLine($"  CnnGen {n.Key} threads={threads} run {r + 1}: {train[r]:N0} samples/s ({batches} timed batches after {warmup})");
                    }
                    double infer = o.TrainOnly ? double.NaN : InferCnnGen(n, all, threads, Math.Max(3, o.Runs));
                    double predict = threads == 1 && !o.TrainOnly ? PredictCnnGen(n, all) : double.NaN;
                    JsonElement? py = null;
                    if (raw is not null)
                        py = RunTorch(o, n, raw, all.Count, threads, warmup, batches);
                    OrtSide.Result? ort = o.Ort && !o.TrainOnly ? OrtSide.Measure(n, all, threads, Math.Max(3, o.Runs)) : null;
                    rows.Add(new Row(n, threads, train, infer, predict, py, ort));
                }
        }
        finally
        {
            if (raw is not null) File.Delete(raw);
        }

        if (!o.InferOnly)
        {
            Console.WriteLine();
            Console.WriteLine($"=== Training: batch {Options.BatchSize}, SGD lr {Options.LearningRate} momentum {Options.Momentum}, median of {o.Runs}; GFLOP/s by the direct-convolution count (2 x 3 x forward multiply-adds); % of the measured FMA peak at that thread count ===");
            Console.WriteLine($"{"net",-8} {"MFLOP",7} {"thr",3} | {"CnnGen/s",9} {"GFLOP/s",7} {"%peak",5} {"2t/1t",5} | {"PyTorch/s",9} {"%peak",5} | {"ratio",6}");
            foreach (var r in rows)
            {
                double cnn = Compare.Median(r.Train), gflops = cnn * r.Net.Cost.TrainFlop / 1e9;
                var one = rows.FirstOrDefault(x => x.Net == r.Net && x.Threads == 1);
                string scaling = r.Threads != 1 && one is not null ? $"{cnn / Compare.Median(one.Train),5:F2}" : "    -";
                string left = $"{r.Net.Key,-8} {r.Net.Cost.TrainFlop / 1e6,7:F1} {r.Threads,3} | {cnn,9:N0} {gflops,7:F1} {100 * gflops / fma.Gflops(r.Threads),4:F0}% {scaling} | ";
                if (r.Torch is { } t)
                {
                    double py = t.GetProperty("train_samples_per_second_median").GetDouble();
                    Console.WriteLine(left + $"{py,9:N0} {100 * py * r.Net.Cost.TrainFlop / 1e9 / fma.Gflops(r.Threads),4:F0}% | {cnn / py,5:F2}x");
                }
                else Console.WriteLine(left + $"{"-",9} {"-",5} | {"-",6}");
            }
        }
        Console.WriteLine();
        if (!o.TrainOnly)
        {
            Console.WriteLine($"=== Inference, batch of 1000 (median of {Math.Max(3, o.Runs)}), and one-sample latency (1 thread, median); ONNX Runtime {OrtVersion()} runs the same net exported by CnnGen.Onnx ===");
            Console.WriteLine($"{"net",-8} {"MFLOP",7} {"thr",3} | {"CnnGen/s",9} {"GFLOP/s",7} {"%peak",5} | {"ORT/s",9} {"%peak",5} {"ratio",6} | {"PyTorch/s",9} {"ratio",6} | {"Predict µs",10} {"ORT µs",7} {"PyTorch µs",10}");
            foreach (var r in rows)
            {
                double flop = r.Net.Cost.InferFlop, peak = fma.Gflops(r.Threads);
                string ort = r.Ort is { } x ? $"{x.SamplesPerSecond,9:N0} {100 * x.SamplesPerSecond * flop / 1e9 / peak,4:F0}% {r.Infer / x.SamplesPerSecond,5:F2}x" : $"{"-",9} {"-",5} {"-",6}";
                string pytorch = r.Torch is { } t ? $"{t.GetProperty("infer_samples_per_second_median").GetDouble(),9:N0} {r.Infer / t.GetProperty("infer_samples_per_second_median").GetDouble(),5:F2}x" : $"{"-",9} {"-",6}";
                string latency = r.Threads == 1
                    ? $"{r.PredictUs,10:F1} {(r.Ort is { } y ? $"{y.PredictMicroseconds,7:F1}" : "-"),7} {(r.Torch is { } u ? $"{u.GetProperty("predict_microseconds_median").GetDouble(),10:F1}" : "-"),10}"
                    : $"{"",10} {(r.Ort is { } z ? $"{z.PredictMicroseconds,7:F1}" : "-"),7}";
                Console.WriteLine($"{r.Net.Key,-8} {flop / 1e6,7:F2} {r.Threads,3} | {r.Infer,9:N0} {r.Infer * flop / 1e9,7:F1} {100 * r.Infer * flop / 1e9 / peak,4:F0}% | {ort} | {pytorch} | {latency}");
            }
            if (rows.Any(r => r.Ort is not null))
                Console.WriteLine($"  (ORT and CnnGen probabilities on the batch agree within {rows.Where(r => r.Ort is not null).Max(r => r.Ort!.Value.MaxDifference):G2}; ORT µs at 2 threads: its session with 2 intra-op threads)");
        }
        if (!o.TrainOnly && !o.InferOnly)
        {
            Console.WriteLine();
            Console.WriteLine("=== Start-up and memory (fresh processes; JIT) ===");
            Console.WriteLine("first batch: this program's firstbatch mode, one batch of 64 on 1 thread, median of 3, ms after Main / after process start.");
            Console.WriteLine("memory: a child trains 30 batches on the 60,000-sample byte data set; needed = data bytes + parameters, gradients, state and");
            Console.WriteLine("SGD momentum (4 bytes each) + per worker its workspace (allocated bytes, measured), packed input and gradients; peak = its peak working set.");
            Console.WriteLine($"{"net",-8} | {"first batch ms",15} | {"thr",3} {"needed MB",9} {"peak MB",8} {"runtime MB",10} {"peak/needed",11}");
            foreach (var n in nets)
            {
                var first = FirstBatch.Measure(3, n.Key);
                foreach (int threads in o.Threads)
                {
                    var m = Memory(n, threads);
                    string startup = threads == o.Threads[0] ? $"{first.SinceMainMs,6:F0} / {first.SinceStartMs,6:F0}" : "";
                    Console.WriteLine($"{n.Key,-8} | {startup,15} | {threads,3} {m.Needed / 1048576.0,9:F1} {m.Peak / 1048576.0,8:F1} {m.Baseline / 1048576.0,10:F1} {(double)m.Peak / m.Needed,10:F2}x");
                }
            }
            Console.WriteLine("(runtime MB: the child's working set at Main before anything is made, which peak includes)");
        }
        foreach (var r in rows.Where(r => r.Train.Length > 0))
            Console.WriteLine($"  runs, {r.Net.Key} threads {r.Threads}: CnnGen {string.Join(", ", r.Train.Select(x => x.ToString("N0")))}; PyTorch " +
                              (r.Torch is { } t ? string.Join(", ", t.GetProperty("train_runs").EnumerateArray().Select(x => x.GetDouble().ToString("N0"))) : "-"));
        return 0;
    }

    /// <summary>One run: a fresh net trained through the Runtime <see cref="Trainer"/> for one pass over <paramref name="data"/>; samples/s after the warm-up batches.</summary>
    private static double TrainCnnGen(FamilyNet n, ImageDataset data, int threads, int warmup, ulong seed)
    {
        var net = n.Create();
        net.InitializeParameters(seed);
        var options = new TrainerOptions { Epochs = 1, BatchSize = Options.BatchSize, Seed = seed, Threads = threads, ProgressInterval = 1 };
        using var trainer = new Trainer(net, new Sgd(Options.LearningRate, Options.Momentum), options);
        int total = data.Count / Options.BatchSize;
        var stamps = new long[total];
        trainer.BatchCompleted += p => stamps[p.Batch - 1] = Stopwatch.GetTimestamp();
        trainer.Fit(data);
        return (total - warmup) * Options.BatchSize / Stopwatch.GetElapsedTime(stamps[warmup - 1], stamps[total - 1]).TotalSeconds;
    }

    /// <summary>Inference samples/s on batches of 1000 split over <paramref name="threads"/> workspaces, about a second per repetition.</summary>
    private static double InferCnnGen(FamilyNet n, ImageDataset data, int threads, int reps)
    {
        const int Batch = 1000;
        var net = n.Create();
        net.InitializeParameters(1);
        int lanes = NetworkWorkspace.PreferredLanes, per = (Batch + threads - 1) / threads;
        var parts = Enumerable.Range(0, threads).Select(t =>
        {
            int first = t * per, count = Math.Min(per, Batch - first);
            var input = new float[LaneLayout.Length(count, net.InputSize, lanes)];
            data.PackBatch(Enumerable.Range(first, count).ToArray(), lanes, PixelNormalization.Scale01, input, new int[count]);
            return (Workspace: net.CreateWorkspace(lanes, count), Input: input, Count: count, Probabilities: new float[count * net.OutputSize]);
        }).ToArray();
        void Once()
        {
            if (threads == 1) net.Infer(parts[0].Workspace, parts[0].Input, parts[0].Count, parts[0].Probabilities);
            else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => net.Infer(parts[t].Workspace, parts[t].Input, parts[t].Count, parts[t].Probabilities));
        }
        return Timing.Throughput(Once, Batch, reps);
    }

    /// <summary>Median latency of the generated single-sample Predict, in microseconds.</summary>
    private static double PredictCnnGen(FamilyNet n, ImageDataset data)
    {
        var net = n.Create();
        net.InitializeParameters(1);
        var image = new float[net.InputSize];
        var table = PixelNormalization.Scale01.Table;
        var pixels = data.Pixels(0);
        for (int i = 0; i < image.Length; i++) image[i] = table[pixels[i]];
        var probabilities = new float[net.OutputSize];
        return Timing.LatencyMicroseconds(() => n.Predict(net, image, probabilities));
    }

    private static string OrtVersion() =>
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "?";

    private readonly record struct MemoryFigures(long Needed, long Peak, long Baseline);

    private static MemoryFigures Memory(FamilyNet n, int threads)
    {
        var info = FirstBatch.SelfStartInfo();
        info.ArgumentList.Add("memory");
        info.ArgumentList.Add(n.Key);
        info.ArgumentList.Add($"{threads}");
        info.RedirectStandardOutput = true;
        info.UseShellExecute = false;
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith("MEMORY "));
        if (p.ExitCode != 0 || line is null) throw new InvalidOperationException($"The memory child for {n.Key} failed (exit {p.ExitCode}): {output}");
        var parts = line.Split(' ');
        return new MemoryFigures(long.Parse(parts[1]), long.Parse(parts[2]), long.Parse(parts[3]));
    }

    /// <summary>
    /// The child of the memory figure (<c>memory NET THREADS</c>): the working set at entry, then a net of the family
    /// trained for 30 batches of 64 on 60,000 synthetic byte samples; prints "MEMORY needed peak baseline" in bytes.
    /// </summary>
    public static int MemoryChild(string[] args)
    {
        long baseline = Process.GetCurrentProcess().WorkingSet64;
        if (args.Length != 2 || FamilyNet.All.FirstOrDefault(f => f.Key == args[0]) is not { } n || !int.TryParse(args[1], out int threads) || threads < 1)
            throw new UsageException("memory NET THREADS");
        var data = BenchData.Synthetic(60_000, 1);
        var net = n.Create();
        int lanes = NetworkWorkspace.PreferredLanes, perWorker = (Options.BatchSize + threads - 1) / threads;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var probe = net.CreateWorkspace(lanes, perWorker);
        long workspace = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(probe);
        probe = null;
        long p = net.ParameterCount, s = net.StateCount;
        long needed = (long)data.Count * (net.InputSize + 1)          // pixels and labels
                      + 4 * (2 * p + s)                                // parameters, the net's gradients, state
                      + 4 * p                                          // SGD momentum
                      + threads * (workspace + 4L * LaneLayout.Length(perWorker, net.InputSize, lanes))
                      + (threads - 1) * 4 * p;                         // the other workers' gradients
        using (var trainer = new Trainer(net, new Sgd(Options.LearningRate, Options.Momentum),
                   new TrainerOptions { Epochs = 1, BatchSize = Options.BatchSize, Threads = threads, Seed = 1 }))
            trainer.Fit(data.Take(30 * Options.BatchSize));
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine(FormattableString.Invariant($"MEMORY {needed} {peak} {baseline}"));
        return 0;
    }

    private static JsonElement RunTorch(Options o, FamilyNet n, string raw, int count, int threads, int warmup, int batches)
    {
        var result = TorchSide.RunScript(o.Python, "torch_family.py", threads,
        [
            "--net", n.Key, "--data", raw, "--count", $"{count}", "--threads", $"{threads}", "--batch", $"{Options.BatchSize}",
            "--lr", Options.LearningRate.ToString(CultureInfo.InvariantCulture), "--momentum", Options.Momentum.ToString(CultureInfo.InvariantCulture),
            "--warmup", $"{warmup}", "--batches", $"{batches}", "--runs", $"{o.Runs}", "--seed", $"{o.Seed}",
        ]);

        long torchParams = result.GetProperty("parameters").GetInt64();
        if (torchParams != n.Cost.Parameters)
            throw new InvalidOperationException($"{n.Key}: PyTorch's net has {torchParams} parameters, CnnGen's {n.Cost.Parameters}: torch_family.py does not build the same net.");
        return result;
    }
}

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using System.Threading.Tasks;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

/// <summary>CnnGen vs PyTorch on LeNet-5 in one invocation. Nothing here is hard-coded: the FP32 peak is measured at start (<see cref="FmaPeak"/>).</summary>
public static class Compare
{
    private const int EpochSamples = 60_000;

    public static int Run(CompareOptions o)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        PrintMachine();
        var probe = new LeNet5();
        LeNetCost.CheckAgainst(probe);
        Console.WriteLine(LeNetCost.Describe());
        Console.WriteLine();
        var fma = FmaPeak.Measure(o.Threads.Prepend(1));
        Console.WriteLine("FP32 FMA peak, measured (FmaPeak: independent FMA chains per thread, best of 5): " + fma.Describe());
        Console.WriteLine();

        // 1. start-up: fresh processes that train one batch right away
        Console.WriteLine("First batch after process start, JIT (this program in firstbatch mode, fresh process each, 1 thread, lanes " + NetworkWorkspace.PreferredLanes + "):");
        var first = FirstBatch.Measure(Math.Max(3, o.Runs));
        string? aotBinary = o.AotBinary ?? FirstBatch.DefaultAotBinary();
        FirstBatch.Result? aot = null;
        if (aotBinary is not null)
        {
            Console.WriteLine($"First batch after process start, NativeAOT ({aotBinary} firstbatch, fresh process each, 1 thread):");
            aot = FirstBatch.MeasureAot(Math.Max(3, o.Runs), aotBinary);
        }
        else Console.WriteLine("First batch, NativeAOT: skipped, no published binary. " + AotHint);
        Console.WriteLine();

        // 2. data
        var clock = Stopwatch.StartNew();
        ImageDataset all = o.DataDirectory is { } dir ? BenchData.Mnist(dir) : BenchData.Synthetic(EpochSamples, o.Seed);
        int batches = o.Batches ?? Math.Min(all.Count, EpochSamples) / o.BatchSize - o.Warmup;
        int total = o.Warmup + batches;
        if (batches < 1 || total * o.BatchSize > all.Count)
            throw new UsageException($"{o.Warmup} warm-up + {batches} timed batches of {o.BatchSize} need {total * o.BatchSize} samples; {all.Name} has {all.Count}.");
        ImageDataset data = all.Take(total * o.BatchSize);
        Console.WriteLine($"Data: {all.Name}, {data.Count:N0} samples used ({o.Warmup} warm-up + {batches} timed batches of {o.BatchSize} per run), loaded in {clock.Elapsed.TotalMilliseconds:F0} ms; kept as bytes, converted per batch on both sides.");

        // 3. PyTorch availability
        var torch = o.Torch ? TorchSide.Probe(o.Python) : null;
        string? rawPath = null;
        if (torch is { Available: true })
        {
            rawPath = Path.Combine(Path.GetTempPath(), $"cnngen-bench-{Environment.ProcessId}.bin");
            BenchData.WriteRaw(data, rawPath);
        }
        Console.WriteLine(torch switch
        {
            null => "PyTorch: skipped (--no-torch).",
            { Available: true } t => $"PyTorch: {t.Version} via {o.Python}.",
            var t => $"PyTorch: NOT INSTALLED ({t.Problem}). Only CnnGen's figures follow.\n" +
                     "  Install it (Debian 12, as root): apt-get update && apt-get install -y python3-torch libopenblas0-openmp\n" +
                     "  or run Benchmarks/run-compare.sh, which does that when they are missing.",
        });
        Console.WriteLine();

        // 4. training, thread count by thread count, CnnGen then PyTorch
        var rows = new List<TrainRow>();
        long peakWorkingSet = 0;
        try
        {
            foreach (int threads in o.Threads)
            {
                var cnn = new List<(double Rate, double Epoch, double Loss)>();
                for (int run = 0; run < o.Runs; run++)
                {
                    cnn.Add(TrainCnnGen(data, o, threads, run, total));
                    Console.WriteLine($"  CnnGen threads={threads} run {run + 1}: {cnn[^1].Rate:N0} samples/s (all {total} batches {cnn[^1].Epoch:F3} s, mean loss {cnn[^1].Loss:F3})");
                }
                peakWorkingSet = Math.Max(peakWorkingSet, Process.GetCurrentProcess().PeakWorkingSet64);
                JsonElement? py = null;
                if (torch is { Available: true })
                    py = TorchSide.Run(o, rawPath!, data.Count, threads, batches);
                rows.Add(new TrainRow(threads, cnn.Select(c => c.Rate).ToArray(), Median(cnn.Select(c => c.Epoch)), py));
            }
        }
        finally
        {
            if (rawPath is not null) File.Delete(rawPath);
        }
        Console.WriteLine();

        // 5. CnnGen inference and Predict
        var infer = o.Threads.ToDictionary(t => t, t => InferCnnGen(all.Count >= 1000 ? all : data, t, Math.Max(3, o.Runs)));
        double predictUs = PredictCnnGen(data);

        // 6. report
        double trainFlop = LeNetCost.TrainFlopPerSample, inferFlop = LeNetCost.InferFlopPerSample;
        Console.WriteLine($"=== Training LeNet-5: batch {o.BatchSize}, SGD lr {o.LearningRate} momentum {o.Momentum}, {batches} timed batches after {o.Warmup} warm-up, median of {o.Runs} run(s) ===");
        Console.WriteLine($"GFLOP/s = samples/s x {trainFlop / 1e6:F3} MFLOP; % peak = of the measured FMA peak at that thread count (" + string.Join(", ", rows.Select(r => $"{r.Threads}: {fma.Gflops(r.Threads):F0}")) + " GFLOP/s)");
        Console.WriteLine($"{"threads",7} | {"CnnGen samples/s",16} {"GFLOP/s",7} {"% peak",6} {"epoch s",7} | {"PyTorch samples/s",17} {"GFLOP/s",7} {"% peak",6} | {"CnnGen/PyTorch",14}");
        foreach (var r in rows)
        {
            double cnn = Median(r.CnnRates), peak = fma.Gflops(r.Threads);
            string left = $"{r.Threads,7} | {cnn,16:N0} {cnn * trainFlop / 1e9,7:F1} {100 * cnn * trainFlop / 1e9 / peak,5:F1}% {r.CnnEpochSeconds,7:F3} | ";
            if (r.Torch is { } t)
            {
                double py = t.GetProperty("train_samples_per_second_median").GetDouble();
                Console.WriteLine(left + $"{py,17:N0} {py * trainFlop / 1e9,7:F1} {100 * py * trainFlop / 1e9 / peak,5:F1}% | {cnn / py,13:F2}x");
            }
            else Console.WriteLine(left + $"{"-",17} {"-",7} {"-",6} | {"-",14}");
        }
        foreach (var r in rows)
        {
            string torchRuns = r.Torch is { } t ? string.Join(", ", t.GetProperty("train_runs").EnumerateArray().Select(x => x.GetProperty("samples_per_second").GetDouble().ToString("N0"))) : "-";
            Console.WriteLine($"  runs, threads {r.Threads}: CnnGen {string.Join(", ", r.CnnRates.Select(x => x.ToString("N0")))}; PyTorch {torchRuns}");
        }
        Console.WriteLine($"  (epoch s = CnnGen's Trainer time for all {total} batches, {data.Count:N0} samples, including warm-up)");
        Console.WriteLine();

        Console.WriteLine($"=== Inference, batch of 1000 (samples/s, median of {Math.Max(3, o.Runs)}) and single-sample Predict (median µs) ===");
        Console.WriteLine($"{"threads",7} | {"CnnGen samples/s",16} {"GFLOP/s",7} | {"PyTorch samples/s",17} {"GFLOP/s",7} | {"ratio",7}");
        foreach (var r in rows)
        {
            double cnn = infer[r.Threads];
            string left = $"{r.Threads,7} | {cnn,16:N0} {cnn * inferFlop / 1e9,7:F1} | ";
            if (r.Torch is { } t)
            {
                double py = t.GetProperty("infer_samples_per_second_median").GetDouble();
                Console.WriteLine(left + $"{py,17:N0} {py * inferFlop / 1e9,7:F1} | {cnn / py,6:F2}x");
            }
            else Console.WriteLine(left + $"{"-",17} {"-",7} | {"-",7}");
        }
        foreach (var r in rows.Where(r => r.Torch is not null))
            Console.WriteLine($"  PyTorch at its better batch of 64, {r.Threads} thread(s): {r.Torch!.Value.GetProperty("infer_batch64_samples_per_second_median").GetDouble():N0} samples/s");
        Console.WriteLine($"Predict, one sample: CnnGen {predictUs:F1} µs" + string.Concat(rows.Where(r => r.Torch is not null).Select(r =>
            $"; PyTorch ({r.Threads} thread{(r.Threads > 1 ? "s" : "")}) {r.Torch!.Value.GetProperty("predict_microseconds_median").GetDouble():F1} µs")));
        Console.WriteLine("  (CnnGen inference on 2 threads = the batch split in two halves, one workspace each, Parallel.For)");
        Console.WriteLine();

        Console.WriteLine("=== Start-up and memory ===");
        Console.WriteLine($"CnnGen first batch, JIT (lanes {first.Lanes}): {first.LaunchMs:F0} ms from launching the process to the first trained batch (parent's clock, median); " +
                          $"{first.SinceStartMs:F0} ms by the child's own process start time (10 ms resolution); {first.SinceMainMs:F0} ms of it after Main was entered.");
        if (aot is { } a)
            Console.WriteLine($"CnnGen first batch, NativeAOT (Sample.Aot, lanes {a.Lanes}): {a.LaunchMs:F0} ms from launching the process (parent's clock, median); " +
                              $"{a.SinceStartMs:F0} ms by the child's process start time; {a.SinceMainMs:F0} ms of it after Main was entered.");
        else
            Console.WriteLine("CnnGen first batch, NativeAOT: not measured (no published binary). " + AotHint);
        Console.WriteLine($"CnnGen peak working set after training (whole process, {data.Count:N0}-sample byte data set included): {peakWorkingSet / 1048576.0:F0} MB");
        foreach (var r in rows.Where(r => r.Torch is not null))
            Console.WriteLine($"PyTorch peak RSS after training, {r.Threads} thread(s) (whole python process): {r.Torch!.Value.GetProperty("peak_rss_bytes").GetDouble() / 1048576.0:F0} MB");
        if (torch is { Available: false })
            Console.WriteLine("\nPyTorch is not installed, so there is no comparison above. Install: apt-get update && apt-get install -y python3-torch libopenblas0-openmp");
        return 0;
    }

    private const string AotHint =
        "Publish it with 'dotnet publish Sample.Aot -c Release -r linux-x64' (needs clang and zlib1g-dev; see .ci/aot-publish.sh), or pass --aot PATH.";

    private sealed record TrainRow(int Threads, double[] CnnRates, double CnnEpochSeconds, JsonElement? Torch);

    /// <summary>One run: a fresh LeNet-5 trained through the Runtime <see cref="Trainer"/> for one epoch of <paramref name="total"/> batches.</summary>
    private static (double Rate, double EpochSeconds, double Loss) TrainCnnGen(ImageDataset data, CompareOptions o, int threads, int run, int total)
    {
        var net = new LeNet5();
        net.InitializeParameters(o.Seed + (ulong)run);
        var options = new TrainerOptions
        {
            Epochs = 1, BatchSize = o.BatchSize, Seed = o.Seed + (ulong)run, Threads = threads, ProgressInterval = 1,
        };
        using var trainer = new Trainer(net, new Sgd(o.LearningRate, o.Momentum), options);
        var stamps = new long[total];
        trainer.BatchCompleted += p => stamps[p.Batch - 1] = Stopwatch.GetTimestamp();
        long start = Stopwatch.GetTimestamp();
        var result = trainer.Fit(data);
        long from = o.Warmup > 0 ? stamps[o.Warmup - 1] : start;
        double seconds = Stopwatch.GetElapsedTime(from, stamps[total - 1]).TotalSeconds;
        var epoch = result.History[^1];
        return ((total - o.Warmup) * o.BatchSize / seconds, epoch.Seconds, epoch.TrainLoss);
    }

    /// <summary>Inference samples/s for batches of 1000 (split over <paramref name="threads"/> workspaces; needs 1000 samples).</summary>
    private static double InferCnnGen(ImageDataset data, int threads, int reps)
    {
        const int Batch = 1000, Iterations = 20;
        if (data.Count < Batch) throw new ArgumentException($"Inference is timed on batches of {Batch}; the data set has {data.Count} samples.");
        var net = new LeNet5();
        net.InitializeParameters(1);
        int lanes = NetworkWorkspace.PreferredLanes;
        int per = (Batch + threads - 1) / threads;
        var parts = Enumerable.Range(0, threads).Select(t =>
        {
            int first = t * per, count = Math.Min(per, Batch - first);
            var input = new float[LaneLayout.Length(count, LeNet5.InputSize, lanes)];
            var labels = new int[count];
            data.PackBatch(Enumerable.Range(first, count).ToArray(), lanes, PixelNormalization.Scale01, input, labels);
            return (Workspace: net.CreateWorkspace(lanes, count), Input: input, Count: count, Probabilities: new float[count * LeNet5.OutputSize]);
        }).ToArray();
        void Once()
        {
            if (threads == 1) net.Infer(parts[0].Workspace, parts[0].Input, parts[0].Count, parts[0].Probabilities);
            else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => net.Infer(parts[t].Workspace, parts[t].Input, parts[t].Count, parts[t].Probabilities));
        }
        for (int i = 0; i < 3; i++) Once();
        var rates = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Iterations; i++) Once();
            rates.Add(Iterations * Batch / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return Median(rates);
    }

    /// <summary>Median latency of <see cref="LeNet5.Predict"/> on one sample, in microseconds.</summary>
    private static double PredictCnnGen(ImageDataset data)
    {
        var net = new LeNet5();
        net.InitializeParameters(1);
        var image = new float[BenchData.SampleSize];
        var table = PixelNormalization.Scale01.Table;
        var pixels = data.Pixels(0);
        for (int i = 0; i < image.Length; i++) image[i] = table[pixels[i]];
        var probabilities = new float[10];
        for (int i = 0; i < 200; i++) net.Predict(image, probabilities);
        var times = new double[2000];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            net.Predict(image, probabilities);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return Median(times);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void PrintMachine()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        bool optimized = typeof(Compare).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
        Console.WriteLine($"CnnGen.Benchmarks compare — {cpu}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine($"AVX-512: {Vector512.IsHardwareAccelerated}, preferred lanes {NetworkWorkspace.PreferredLanes}, build {(optimized ? "Release (optimized)" : "DEBUG — numbers are meaningless, use -c Release")}, " +
                          $"DOTNET_TieredCompilation={Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? "default"}");
        Console.WriteLine($"Load at start: {LoadAverage()} (others' builds on this machine make every figure noisy; medians are printed)");
        Console.WriteLine();
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }
}

/// <summary>Runs torch_lenet.py with Debian's python3 and reads its JSON.</summary>
public static class TorchSide
{
    public sealed record Status(bool Available, string Version, string Problem);

    public static Status Probe(string python)
    {
        if (!File.Exists(python)) return new Status(false, "", $"{python} does not exist");
        try
        {
            var (code, stdout, stderr) = Exec(python, ["-c", "import torch; print(torch.__version__)"], null, TimeSpan.FromMinutes(2), echoStderr: false);
            if (code == 0) return new Status(true, stdout.Trim(), "");
            string last = stderr.Trim().Split('\n').LastOrDefault() ?? "";
            return new Status(false, "", $"{python} cannot import torch: {last}");
        }
        catch (Win32Exception e)
        {
            return new Status(false, "", $"{python} could not be started: {e.Message}");
        }
    }

    public static JsonElement Run(CompareOptions o, string rawPath, int count, int threads, int batches) =>
        RunScript(o.Python, "torch_lenet.py", threads,
        [
            "--data", rawPath, "--count", count.ToString(), "--threads", threads.ToString(), "--batch", o.BatchSize.ToString(),
            "--lr", o.LearningRate.ToString(CultureInfo.InvariantCulture), "--momentum", o.Momentum.ToString(CultureInfo.InvariantCulture),
            "--warmup", o.Warmup.ToString(), "--batches", batches.ToString(), "--runs", o.Runs.ToString(), "--seed", o.Seed.ToString(),
        ]);

    /// <summary>Runs a PyTorch script of this directory on <paramref name="threads"/> BLAS/OpenMP threads and returns the JSON object it prints last.</summary>
    public static JsonElement RunScript(string python, string script, int threads, string[] args)
    {
        var env = new Dictionary<string, string>
        {
            ["OMP_NUM_THREADS"] = threads.ToString(), ["MKL_NUM_THREADS"] = threads.ToString(), ["OPENBLAS_NUM_THREADS"] = threads.ToString(),
        };
        var (code, stdout, stderr) = Exec(python, [Path.Combine(AppContext.BaseDirectory, script), .. args], env, TimeSpan.FromMinutes(30), echoStderr: true);
        string? json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (code != 0 || json is null)
            throw new InvalidOperationException($"{script} {string.Join(' ', args.Take(2))} failed (exit {code}):\n{stderr}");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static (int Code, string Stdout, string Stderr) Exec(string file, string[] args, Dictionary<string, string>? env, TimeSpan timeout, bool echoStderr)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (echoStderr) Console.WriteLine("  " + e.Data);
        };
        p.BeginErrorReadLine();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} took longer than {timeout}.");
        }
        p.WaitForExit();
        lock (stderr) return (p.ExitCode, stdout.Result, stderr.ToString());
    }
}

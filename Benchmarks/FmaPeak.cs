using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace CnnGen.Benchmarks;

/// <summary>
/// The machine's FP32 FMA peak, measured rather than assumed: 12 independent fused multiply-add chains (enough to
/// cover the FMA latency on every pipe: 4 cycles times 2 pipes needs 8; and with the multiplier and addend, 14 of the
/// 16 vector registers of x64 without AVX-512, where 16 chains spilled two to the stack and measured about half the
/// peak of a Zen 3: 43-48 instead of 90-93 GFLOP/s on one thread) at each accelerated vector width, on 1 thread and on every thread at once;
/// the best of several short runs. 2 FLOP per lane per FMA. The widest width is not always the fastest (a Zen 4
/// core executes a 512-bit FMA as two 256-bit halves), so the peak is the best width's figure.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 12;

    /// <summary>GFLOP/s at each width and thread count.</summary>
    public sealed record Result(IReadOnlyList<(int Bits, int Threads, double Gflops)> Figures)
    {
        /// <summary>Best GFLOP/s over the widths with <paramref name="threads"/> threads running.</summary>
        public double Gflops(int threads) => Figures.Where(f => f.Threads == threads).Max(f => f.Gflops);

        public string Describe() => string.Join("; ", Figures.GroupBy(f => f.Threads).Select(g =>
            $"{g.Key} thread{(g.Key == 1 ? "" : "s")}: " + string.Join(", ", g.Select(f => $"{f.Bits}-bit {f.Gflops:F1}")) + " GFLOP/s"));
    }

    /// <summary>Measures 1 thread and <paramref name="threads"/> threads (each thread its own chains), <paramref name="runs"/> runs of about 60 ms each.</summary>
    public static Result Measure(IEnumerable<int> threadCounts, int runs = 5)
    {
        var widths = new List<(int Bits, Func<long, float> Kernel)> { (128, Chains128) };
        if (Vector256.IsHardwareAccelerated) widths.Add((256, Chains256));
        if (Vector512.IsHardwareAccelerated) widths.Add((512, Chains512));
        var figures = new List<(int, int, double)>();
        foreach (int threads in threadCounts.Distinct().OrderBy(t => t))
            foreach (var (bits, kernel) in widths)
            {
                kernel(1000); // compiled before timing
                double flopPerIteration = 2.0 * Chains * (bits / 32);
                long iterations = Calibrate(kernel);
                double best = 0;
                for (int r = 0; r < runs; r++)
                    best = Math.Max(best, threads * iterations * flopPerIteration / Time(kernel, iterations, threads) / 1e9);
                figures.Add((bits, threads, best));
            }
        return new Result(figures);
    }

    /// <summary>Iterations for about 60 ms on one thread.</summary>
    private static long Calibrate(Func<long, float> kernel)
    {
        long iterations = 100_000;
        double seconds = Time(kernel, iterations, 1);
        return Math.Max(iterations, (long)(iterations * 0.06 / Math.Max(seconds, 1e-6)));
    }

    /// <summary>Wall seconds for <paramref name="threads"/> threads each running the kernel, started together.</summary>
    private static double Time(Func<long, float> kernel, long iterations, int threads)
    {
        using var start = new Barrier(threads + 1);
        var sink = new float[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            sink[t] = kernel(iterations);
            start.SignalAndWait();
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        long t0 = Stopwatch.GetTimestamp();
        start.SignalAndWait();
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        workers.ForEach(w => w.Join());
        if (sink.Any(float.IsNaN)) throw new InvalidOperationException("FMA chains produced NaN");
        return seconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains128(long iterations)
    {
        var m = Vector128.Create(0.9999999f);
        var c = Vector128.Create(1e-7f);
        Vector128<float> a0 = Vector128.Create(1f + 0 * 1e-3f), a1 = Vector128.Create(1f + 1 * 1e-3f), a2 = Vector128.Create(1f + 2 * 1e-3f), a3 = Vector128.Create(1f + 3 * 1e-3f), a4 = Vector128.Create(1f + 4 * 1e-3f), a5 = Vector128.Create(1f + 5 * 1e-3f), a6 = Vector128.Create(1f + 6 * 1e-3f), a7 = Vector128.Create(1f + 7 * 1e-3f), a8 = Vector128.Create(1f + 8 * 1e-3f), a9 = Vector128.Create(1f + 9 * 1e-3f), a10 = Vector128.Create(1f + 10 * 1e-3f), a11 = Vector128.Create(1f + 11 * 1e-3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, c);
            a1 = Vector128.FusedMultiplyAdd(a1, m, c);
            a2 = Vector128.FusedMultiplyAdd(a2, m, c);
            a3 = Vector128.FusedMultiplyAdd(a3, m, c);
            a4 = Vector128.FusedMultiplyAdd(a4, m, c);
            a5 = Vector128.FusedMultiplyAdd(a5, m, c);
            a6 = Vector128.FusedMultiplyAdd(a6, m, c);
            a7 = Vector128.FusedMultiplyAdd(a7, m, c);
            a8 = Vector128.FusedMultiplyAdd(a8, m, c);
            a9 = Vector128.FusedMultiplyAdd(a9, m, c);
            a10 = Vector128.FusedMultiplyAdd(a10, m, c);
            a11 = Vector128.FusedMultiplyAdd(a11, m, c);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long iterations)
    {
        var m = Vector256.Create(0.9999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f + 0 * 1e-3f), a1 = Vector256.Create(1f + 1 * 1e-3f), a2 = Vector256.Create(1f + 2 * 1e-3f), a3 = Vector256.Create(1f + 3 * 1e-3f), a4 = Vector256.Create(1f + 4 * 1e-3f), a5 = Vector256.Create(1f + 5 * 1e-3f), a6 = Vector256.Create(1f + 6 * 1e-3f), a7 = Vector256.Create(1f + 7 * 1e-3f), a8 = Vector256.Create(1f + 8 * 1e-3f), a9 = Vector256.Create(1f + 9 * 1e-3f), a10 = Vector256.Create(1f + 10 * 1e-3f), a11 = Vector256.Create(1f + 11 * 1e-3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(long iterations)
    {
        var m = Vector512.Create(0.9999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f + 0 * 1e-3f), a1 = Vector512.Create(1f + 1 * 1e-3f), a2 = Vector512.Create(1f + 2 * 1e-3f), a3 = Vector512.Create(1f + 3 * 1e-3f), a4 = Vector512.Create(1f + 4 * 1e-3f), a5 = Vector512.Create(1f + 5 * 1e-3f), a6 = Vector512.Create(1f + 6 * 1e-3f), a7 = Vector512.Create(1f + 7 * 1e-3f), a8 = Vector512.Create(1f + 8 * 1e-3f), a9 = Vector512.Create(1f + 9 * 1e-3f), a10 = Vector512.Create(1f + 10 * 1e-3f), a11 = Vector512.Create(1f + 11 * 1e-3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c);
            a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}

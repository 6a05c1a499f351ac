using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace CnnGen.Benchmarks;

/// <summary>The two timing loops of the family benchmark, shared by CnnGen's side and ONNX Runtime's.</summary>
public static class Timing
{
    /// <summary>
    /// Items per second of <paramref name="once"/> (which handles <paramref name="items"/> items): two untimed calls
    /// size a repetition to about two seconds, then the median of <paramref name="reps"/> repetitions.
    /// </summary>
    public static double Throughput(Action once, int items, int reps)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 2; i++) once();
        int iterations = Math.Max(1, (int)(2 / Stopwatch.GetElapsedTime(t0).TotalSeconds));
        var rates = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < iterations; i++) once();
            rates.Add(iterations * items / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return Compare.Median(rates);
    }

    /// <summary>Median microseconds of one call of <paramref name="once"/> over 500 calls, after 50 untimed ones.</summary>
    public static double LatencyMicroseconds(Action once)
    {
        for (int i = 0; i < 50; i++) once();
        var times = new double[500];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            once();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return Compare.Median(times);
    }
}

using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;

namespace CnnGen.Sample.Web.Model;

/// <summary>Checks every Lane4 operation against the same operation one float at a time, in the browser.</summary>
public static class LaneSelfTest
{
    public static List<string> Run()
    {
        var report = new List<string>();
        var rng = new Random(7);
        float R() => (float)(rng.NextDouble() * 4 - 2);
        var x = new float[64];
        for (int i = 0; i < x.Length; i++) x[i] = R();
        var a = Lane4.Load(x, 0);
        var b = Lane4.Load(x, 4);
        var c = Lane4.Load(x, 8);
        void Check(string name, Lane4 got, Func<int, float> expected)
        {
            var o = new float[4];
            Lane4.Store(got, o, 0);
            var bad = new List<string>();
            for (int i = 0; i < 4; i++)
                if (BitConverter.SingleToInt32Bits(o[i]) != BitConverter.SingleToInt32Bits(expected(i)) && !(float.IsNaN(o[i]) && float.IsNaN(expected(i))))
                    bad.Add($"[{i}] {o[i]:R} != {expected(i):R}");
            report.Add(bad.Count == 0 ? name + ": ok" : name + ": WRONG " + string.Join(", ", bad));
        }
        Check("Load", a, i => x[i]);
        Check("Broadcast", Lane4.Broadcast(x[3]), _ => x[3]);
        Check("+", a + b, i => x[i] + x[4 + i]);
        Check("*", a * b, i => x[i] * x[4 + i]);
        Check("FusedMultiplyAdd", Lane4.FusedMultiplyAdd(a, b, c), i => MathF.FusedMultiplyAdd(x[i], x[4 + i], x[8 + i]));
        Check("MultiplyAdd", Lane4.MultiplyAdd(a, x[20], c), i => MathF.FusedMultiplyAdd(x[i], x[20], x[8 + i]));
        Check("Vector128.FusedMultiplyAdd", new Lane4(Vector128.FusedMultiplyAdd(a.V, b.V, c.V)), i => MathF.FusedMultiplyAdd(x[i], x[4 + i], x[8 + i]));
        var (w0, w1) = Vector128.Widen(a.V);
        report.Add($"Widen: {w0} {w1} from {a.V}");
        Check("Narrow(Widen)", new Lane4(Vector128.Narrow(w0, w1)), i => x[i]);
        Check("Max", Lane4.Max(a, b), i => MathF.Max(x[i], x[4 + i]));
        Check("Max0", Lane4.Max(a, Lane4.Zero), i => MathF.Max(x[i], 0));
        Check("Select(GreaterThan)", Lane4.Select(Lane4.GreaterThan(a, b), a, c), i => x[i] > x[4 + i] ? x[i] : x[8 + i]);
        Check("LoadStrided2", Lane4.LoadStrided(x, 1, 2), i => x[1 + 2 * i]);
        Check("LoadStrided3", Lane4.LoadStrided(x, 1, 3), i => x[1 + 3 * i]);
        var d = (float[])x.Clone();
        Lane4.StoreFirst(b, d, 0, 2);
        report.Add($"StoreFirst(2): {(d[0] == x[4] && d[1] == x[5] && d[2] == x[2] && d[3] == x[3] ? "ok" : $"WRONG {d[0]} {d[1]} {d[2]} {d[3]}")}");
        report.Add($"Sum: {(Lane4.Sum(a) == (x[0] + x[1]) + (x[2] + x[3]) || Lane4.Sum(a) == x[0] + x[1] + x[2] + x[3] ? "ok" : $"WRONG {Lane4.Sum(a)}")}");
        return report;
    }

    /// <summary>A convolution-like chain of MultiplyAdd through the generic lane type, as the kernels use it, call after call.</summary>
    public static string GenericChain(int calls)
    {
        var rng = new Random(3);
        var x = new float[256];
        var w = new float[32];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1);
        var expected = new float[4 * 3];
        for (int lane = 0; lane < 4; lane++)
        for (int j = 0; j < 3; j++)
        {
            float acc = 0.5f;
            for (int k = 0; k < 25; k++) acc = MathF.FusedMultiplyAdd(x[lane + k * 4], w[(k + j) % 32], acc);
            expected[j * 4 + lane] = acc;
        }
        var log = new List<string>();
        for (int call = 1; call <= calls; call++)
        {
            var generic = Chain<Lane4>(x, w);
            var direct = ChainDirect(x, w);
            string g = Compare(generic, expected), d = Compare(direct, expected);
            if (g != "ok" || d != "ok") { log.Add($"call {call}: generic {g}, direct {d}"); if (log.Count > 3) break; }
        }
        return log.Count == 0 ? $"ok for {calls} calls" : string.Join("; ", log);
    }

    private static string Compare(float[] got, float[] expected)
    {
        for (int i = 0; i < expected.Length; i++)
            if (got[i] != expected[i]) return $"WRONG at {i}: {got[i]:G6} != {expected[i]:G6}";
        return "ok";
    }

    private static float[] Chain<TLane>(float[] x, float[] w) where TLane : unmanaged, ILane<TLane>
    {
        TLane a0 = TLane.Broadcast(0.5f), a1 = TLane.Broadcast(0.5f), a2 = TLane.Broadcast(0.5f);
        for (int k = 0; k < 25; k++)
        {
            TLane v = TLane.LoadStrided(x, k * 4, 1);
            a0 = TLane.MultiplyAdd(v, w[k % 32], a0);
            a1 = TLane.MultiplyAdd(v, w[(k + 1) % 32], a1);
            a2 = TLane.MultiplyAdd(v, w[(k + 2) % 32], a2);
        }
        var y = new float[12];
        TLane.Store(a0, y, 0);
        TLane.Store(a1, y, 4);
        TLane.Store(a2, y, 8);
        return y;
    }

    private static float[] ChainDirect(float[] x, float[] w)
    {
        Lane4 a0 = Lane4.Broadcast(0.5f), a1 = Lane4.Broadcast(0.5f), a2 = Lane4.Broadcast(0.5f);
        for (int k = 0; k < 25; k++)
        {
            Lane4 v = Lane4.LoadStrided(x, k * 4, 1);
            a0 = Lane4.MultiplyAdd(v, w[k % 32], a0);
            a1 = Lane4.MultiplyAdd(v, w[(k + 1) % 32], a1);
            a2 = Lane4.MultiplyAdd(v, w[(k + 2) % 32], a2);
        }
        var y = new float[12];
        Lane4.Store(a0, y, 0);
        Lane4.Store(a1, y, 4);
        Lane4.Store(a2, y, 8);
        return y;
    }

    /// <summary>Predict at 4 lanes against 1 lane, call after call: the first call that disagrees.</summary>
    public static string PredictAgreement(LeNet5 net, float[] image, int calls) => PredictAgreement<Lane4>(net, image, calls);

    /// <summary>Median time of <paramref name="runs"/> Predict calls at lane type <typeparamref name="TLane"/>, after 5 warm-up calls, and its top class.</summary>
    public static string PredictTime<TLane>(LeNet5 net, float[] image, int runs) where TLane : unmanaged, ILane<TLane>
    {
        var p = new float[10];
        for (int i = 0; i < 5; i++) net.Predict<TLane>(image, p);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            net.Predict<TLane>(image, p);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        int best = 0;
        for (int k = 1; k < 10; k++) if (p[k] > p[best]) best = k;
        return $"{typeof(TLane).Name}: {times[runs / 2]:F2} ms, class {best}, p = {p[best]:G4}";
    }

    /// <summary>Predict at <typeparamref name="TLane"/> against 1 lane, call after call.</summary>
    public static string PredictAgreement<TLane>(LeNet5 net, float[] image, int calls) where TLane : unmanaged, ILane<TLane>
    {
        var p1 = new float[10];
        var p4 = new float[10];
        var log = new List<string>();
        for (int call = 1; call <= calls; call++)
        {
            net.Predict<Lane1>(image, p1);
            net.Predict<TLane>(image, p4);
            float diff = 0;
            for (int k = 0; k < 10; k++) diff = Math.Max(diff, Math.Abs(p1[k] - p4[k]));
            if (!(diff <= 1e-4f) || call == 1 || call == calls)
            {
                string layers = "";
                foreach (var layer in NetworkLayers.Parse(LeNet5.Summary))
                    if (NetworkLayers.Output<LeNet5>(layer) is { } v)
                    {
                        int nan = Array.FindIndex(v, f => !float.IsFinite(f));
                        float max = 0; foreach (float f in v) max = Math.Max(max, Math.Abs(f));
                        layers += $" {layer.Name}:{(nan >= 0 ? "nonfinite@" + nan : "max " + max.ToString("G4"))}";
                    }
                log.Add($"call {call}: max diff {diff:G3}, p1[0]={p1[0]:G4} p4[0]={p4[0]:G4};{layers}");
            }
            if (log.Count > 6) break;
        }
        return string.Join("; ", log);
    }
}

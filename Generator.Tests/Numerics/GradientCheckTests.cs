using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// Finite-difference gradient checks of the emitted backward code: for every test network and lane width,
/// the gradient TrainStep adds (gradientScale 1) must match central differences of Loss(...).LossSum.
/// </summary>
public class GradientCheckTests(ITestOutputHelper output)
{
    // Step for central differences. Parameters are O(0.1-1) after He/Glorot init plus noise, so 3e-3 is about 1e-2
    // of their scale: large enough that float32 round-off in the summed loss (about 1e-6 absolute for ~19 samples)
    // costs at most ~2e-4 in the difference quotient, small enough that the O(eps^2) truncation term is negligible.
    private const float Eps = 3e-3f;

    // A ReLU, LeakyReLU or max-pool kink within [p - eps, p + eps] makes the central difference wrong at that point
    // (not the analytic gradient): e.g. ConvPadStrideNet has one conv output at |z| = 6e-5, and every weight of that
    // channel then shows 2-5% errors at eps 3e-3 that shrink to 3e-3 at eps 3e-5. So a point that fails at Eps is
    // evaluated again at these smaller steps (a kink at distance d corrupts only steps > d, while round-off grows as
    // the step shrinks); it passes if one of them is within Tolerance. A real backward bug fails at every step.
    // A kink closer than round-off allows (|z| ~ 1e-5) can defeat every step; such a point is checked again on up to
    // FreshBatches other random batches with the same parameters and passes if it passes on one of them: a kink
    // belongs to one batch, a wrong backward is wrong for all. Points needing a smaller step must stay rare
    // (MaxRetriedFraction), or the check fails as a whole.
    private static readonly float[] RetrySteps = [3e-4f, 3e-5f];
    private const double MaxRetriedFraction = 0.15;
    private const int FreshBatches = 2;

    // Relative error |a - n| / max(|a| + |n|, Floor). Gradients are of the summed (not mean) loss over 5-19 samples,
    // typically 0.1-10; the floor keeps near-zero gradients from being judged by round-off alone: below it the
    // comparison is absolute, at Tolerance * Floor = 1e-3.
    private const double Floor = 0.1;

    // float32 forward and backward: the finite difference itself carries ~1e-3 relative noise (round-off above,
    // divided by 2 eps), so a correct backward lands well below 1e-2; any wrong term (a missed channel tail, a
    // padding lane leaking, a wrong stride) gives errors of order 1.
    private const double Tolerance = 1e-2;

    public static IEnumerable<object[]> Cases() => NetCases.NamesAndLanes();

    /// <summary>
    /// Parameters checked per net and lane width: all of them at 1 lane for the small nets, about 300 at 8 and 16
    /// lanes (the lane-agreement tests compare every gradient across widths), about 200 for LeNet5 (61,706).
    /// </summary>
    private static int Budget(string name, int lanes) => name == nameof(LeNet5) ? 200 : lanes == 1 ? 2000 : 300;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Central_differences_match_TrainStep_gradients(string name, int lanes)
    {
        var net = NetCases.Create(name);
        NetCases.Randomize(net, 11);
        int count = NetCases.BatchSize(name);
        var stopwatch = Stopwatch.StartNew();
        var layers = NetCases.Layers(net);
        var indices = Select(layers, net.ParameterCount, Budget(name, lanes), seed: (ulong)lanes);

        // batch 0 checks every selected parameter; a point that fails there at every step is checked again on fresh
        // batches (a kink belongs to one batch, a backward bug to all of them), and fails only if it fails on all
        var pending = indices;
        double worst = 0;
        string worstAt = "";
        int retried = 0, rebatched = 0;
        var failures = new List<string>();
        for (int batch = 0; batch < FreshBatches + 1 && pending.Count > 0; batch++)
        {
            var (samples, labels) = NetCases.RandomBatch(net, count, 1234 + (ulong)batch);
            var input = NetCases.Pack(net, samples, count, lanes);
            var ws = net.CreateWorkspace(lanes, count);
            ulong noiseSeed = 77 + (ulong)batch;
            var analytic = new float[net.ParameterCount];
            net.TrainStep(ws, input, labels, count, 1f, analytic, noiseSeed);
            if (batch == 0)
                // the check is only meaningful if some gradients are clearly non-zero
                Assert.Contains(indices, i => Math.Abs(analytic[i]) > Floor);

            double Numeric(int i, float eps)
            {
                var p = net.Parameters;
                float saved = p[i];
                p[i] = saved + eps;
                double plus = net.Loss(ws, input, labels, count, noiseSeed).LossSum;
                p[i] = saved - eps;
                double minus = net.Loss(ws, input, labels, count, noiseSeed).LossSum;
                p[i] = saved;
                // the step actually taken in float32
                return (plus - minus) / ((double)(saved + eps) - (saved - eps));
            }

            var failed = new List<int>();
            failures.Clear();
            foreach (int i in pending)
            {
                double n = Numeric(i, Eps);
                double error = Relative(analytic[i], n);
                if (error > Tolerance)
                {
                    if (batch == 0) retried++;
                    foreach (float step in RetrySteps)
                    {
                        double n2 = Numeric(i, step);
                        double error2 = Relative(analytic[i], n2);
                        if (error2 < error) { error = error2; n = n2; }
                        if (error <= Tolerance) break;
                    }
                }
                if (error > Tolerance)
                {
                    failed.Add(i);
                    failures.Add($"p[{i}] ({LayerOf(layers, i)}), batch {batch}: analytic {analytic[i]:G7}, numeric {n:G7}, relative error {error:E2}");
                }
                else if (error > worst) { worst = error; worstAt = $"p[{i}] ({LayerOf(layers, i)})"; }
            }
            if (batch == 0) rebatched = failed.Count;
            pending = failed;
        }

        output.WriteLine($"{name} lanes={lanes} batch={count}: checked {indices.Count}/{net.ParameterCount} parameters, " +
                         $"max relative error {worst:E2} at {worstAt}; {retried} re-checked at smaller steps, " +
                         $"{rebatched} on fresh batches (kinks); {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(retried <= MaxRetriedFraction * indices.Count,
            $"{name} lanes={lanes}: {retried} of {indices.Count} points needed a smaller step; kinks cannot explain that many.");
        Assert.True(failures.Count == 0,
            $"{name} lanes={lanes}: {failures.Count} of {indices.Count} gradients off by more than {Tolerance:G} on every batch:\n" + string.Join("\n", failures.Take(20)));
    }

    private static double Relative(double a, double n) => Math.Abs(a - n) / Math.Max(Math.Abs(a) + Math.Abs(n), Floor);

    /// <summary>
    /// Sanity: a parameter that cannot affect the loss gets exactly 0. FlatNet's first Dense sees input feature 0 only
    /// through column 0 of its weights; with that feature 0 in every sample, those 20 gradients must be exactly 0.0f.
    /// Likewise ConvPadStrideNet with input channel 1 all zero: every weight w[oc, 1, kh, kw] of Conv1 gets exactly 0.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    public void Parameters_without_effect_get_exactly_zero_gradient(int lanes)
    {
        // FlatNet: dense1_w is (20, 12), row-major (out, in)
        {
            INetwork net = new FlatNet();
            NetCases.Randomize(net, 3);
            int count = 19;
            var (samples, labels) = NetCases.RandomBatch(net, count, 99);
            for (int s = 0; s < count; s++) samples[s * net.InputSize + 0] = 0f;
            var g = new float[net.ParameterCount];
            net.TrainStep(net.CreateWorkspace(lanes, count), NetCases.Pack(net, samples, count, lanes), labels, count, 1f, g, 5);
            for (int o = 0; o < 20; o++)
            {
                Assert.Equal(0f, g[o * 12 + 0]);
                Assert.NotEqual(0f, g[o * 12 + 1]);
            }
        }
        // ConvPadStrideNet: conv1_w is (4, 2, 3, 3)
        {
            INetwork net = new ConvPadStrideNet();
            NetCases.Randomize(net, 3);
            int count = 19, hw = 9 * 9;
            var (samples, labels) = NetCases.RandomBatch(net, count, 98);
            for (int s = 0; s < count; s++) Array.Clear(samples, s * net.InputSize + hw, hw);
            var g = new float[net.ParameterCount];
            net.TrainStep(net.CreateWorkspace(lanes, count), NetCases.Pack(net, samples, count, lanes), labels, count, 1f, g, 5);
            int nonZero = 0;
            for (int oc = 0; oc < 4; oc++)
                for (int k = 0; k < 9; k++)
                {
                    Assert.Equal(0f, g[(oc * 2 + 1) * 9 + k]);
                    if (g[(oc * 2 + 0) * 9 + k] != 0f) nonZero++;
                }
            Assert.True(nonZero > 30, $"channel 0 weights should get gradients, {nonZero} of 36 did");
        }
    }

    /// <summary>First and last parameter of every layer, then random others, about <paramref name="budget"/> in all.</summary>
    internal static List<int> Select(List<LayerSlice> layers, int total, int budget, ulong seed)
    {
        var rng = new Rng(seed + 1000);
        var chosen = new SortedSet<int>();
        foreach (var layer in layers)
        {
            int want = Math.Max(2, (int)((long)budget * layer.Count / total));
            if (want >= layer.Count)
            {
                for (int i = 0; i < layer.Count; i++) chosen.Add(layer.Offset + i);
                continue;
            }
            chosen.Add(layer.Offset);
            chosen.Add(layer.Offset + layer.Count - 1);
            int added = 2;
            while (added < want)
                if (chosen.Add(layer.Offset + rng.NextInt(layer.Count))) added++;
        }
        return chosen.ToList();
    }

    internal static string LayerOf(List<LayerSlice> layers, int index)
    {
        foreach (var l in layers)
            if (index >= l.Offset && index < l.Offset + l.Count) return $"{l.Layer}[{index - l.Offset}]";
        return "?";
    }
}

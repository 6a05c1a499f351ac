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
        // batch 0 checks every selected parameter; a point that fails there at every step is checked again on fresh
        // batches (a kink belongs to one batch, a backward bug to all of them), and fails only if it fails on all
        var r = GradientCheck.Run(net, Budget(name, lanes), count, seed: 0, lanes, selectionSeed: (ulong)lanes);
        output.WriteLine($"{name} lanes={lanes} batch={count}: checked {r.Checked}/{net.ParameterCount} parameters, " +
                         $"max relative error {r.Worst:E2} at {r.WorstAt}; {r.Retried} re-checked at smaller steps, " +
                         $"{r.Rebatched} on fresh batches (kinks); {stopwatch.ElapsedMilliseconds} ms");
        // the check is only meaningful if some gradients are clearly non-zero
        Assert.True(r.AnyClearlyNonZero, $"{name} lanes={lanes}: no checked gradient above {GradientCheck.Floor}");
        Assert.True(r.Retried <= GradientCheck.MaxRetriedFraction * r.Checked,
            $"{name} lanes={lanes}: {r.Retried} of {r.Checked} points needed a smaller step; kinks cannot explain that many.");
        Assert.True(r.Failures.Count == 0,
            $"{name} lanes={lanes}: {r.Failures.Count} of {r.Checked} gradients off by more than {GradientCheck.Tolerance:G} on every batch:\n" + string.Join("\n", r.Failures.Take(20)));
    }

    /// <summary>
    /// Sanity: a parameter that cannot affect the loss gets exactly 0. FlatNet's first Dense sees input feature 0 only
    /// through column 0 of its weights; with that feature 0 in every sample, those 20 gradients must be exactly 0.0f.
    /// Likewise ConvPadStrideNet with input channel 1 all zero: every weight w[oc, 1, kh, kw] of Conv1 gets exactly 0.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
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

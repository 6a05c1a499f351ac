using System;
using System.Collections.Generic;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// One emitted body serves 1, 4, 8 and 16 lanes; the same batch must give the same loss, gradients and probabilities at
/// every width. Only the order of float32 sums differs (over groups, then over lanes), so results agree to round-off.
/// </summary>
public class LaneAgreementTests(ITestOutputHelper output)
{
    // Summation order differs between widths: ~19 terms at float32 (6e-8) give ~1e-6 relative to the largest
    // gradient of a layer; 1e-5 leaves room for cancellation but catches any lost or extra sample (>= 1/19).
    private const double GradientTolerance = 1e-5;   // max |g_lanes - g_1| / max |g_1| over the layer's slice
    private const double LossTolerance = 1e-5;       // |L_lanes - L_1| / |L_1|
    private const double ProbabilityTolerance = 1e-5; // max |p_lanes - p_1| (probabilities are in [0, 1])

    private sealed record Run(double Loss, int Correct, float[] Gradients, float[] Probabilities);

    private static Run RunAt(INetwork net, int lanes, float[] samples, int[] labels, int count, ulong noiseSeed, bool garbagePadding = false)
    {
        var input = NetCases.Pack(net, samples, count, lanes);
        if (garbagePadding)
        {
            // padding lanes of the last group get large finite values: they must be ignored
            var rng = new Rng(4242);
            int groups = (count + lanes - 1) / lanes;
            for (int e = 0; e < net.InputSize; e++)
                for (int l = count - (groups - 1) * lanes; l < lanes; l++)
                    input[((groups - 1) * net.InputSize + e) * lanes + l] = (float)(100 * rng.NextGaussian());
        }
        var ws = net.CreateWorkspace(lanes, count);
        var gradients = new float[net.ParameterCount];
        var step = net.TrainStep(ws, input, labels, count, 1f, gradients, noiseSeed);
        var probabilities = new float[count * net.OutputSize];
        net.Infer(ws, input, count, probabilities);
        return new Run(step.LossSum, step.Correct, gradients, probabilities);
    }

    [Theory]
    [MemberData(nameof(NetCases.NameData), MemberType = typeof(NetCases))]
    public void Lanes_1_4_8_16_give_the_same_loss_gradients_and_probabilities(string name)
    {
        var net = NetCases.Create(name);
        NetCases.Randomize(net, 21);
        int count = NetCases.BatchSize(name);
        var (samples, labels) = NetCases.RandomBatch(net, count, 555);
        var layers = NetCases.Layers(net);
        var reference = RunAt(net, 1, samples, labels, count, noiseSeed: 9);
        var problems = new List<string>();
        foreach (int lanes in new[] { 4, 8, 16 })
        {
            var run = RunAt(net, lanes, samples, labels, count, noiseSeed: 9);
            double lossError = Math.Abs(run.Loss - reference.Loss) / Math.Abs(reference.Loss);
            if (lossError > LossTolerance) problems.Add($"lanes={lanes}: loss {run.Loss:G9} vs {reference.Loss:G9} (relative {lossError:E2})");
            if (run.Correct != reference.Correct) problems.Add($"lanes={lanes}: correct {run.Correct} vs {reference.Correct}");
            double worstGradient = 0;
            foreach (var layer in layers)
            {
                double scale = 0, diff = 0;
                int at = -1;
                for (int i = layer.Offset; i < layer.Offset + layer.Count; i++)
                {
                    scale = Math.Max(scale, Math.Abs(reference.Gradients[i]));
                    double d = Math.Abs(run.Gradients[i] - reference.Gradients[i]);
                    if (d > diff || float.IsNaN(run.Gradients[i])) { diff = float.IsNaN(run.Gradients[i]) ? double.PositiveInfinity : d; at = i; }
                }
                double relative = scale == 0 ? diff : diff / scale;
                worstGradient = Math.Max(worstGradient, relative);
                if (!(relative <= GradientTolerance))
                    problems.Add($"lanes={lanes}: {layer.Layer} gradients differ by {relative:E2} of the layer's max |g| {scale:G4} " +
                                 $"(worst p[{at}]: {run.Gradients[at]:G7} vs {reference.Gradients[at]:G7})");
            }
            double worstProbability = 0;
            for (int i = 0; i < reference.Probabilities.Length; i++)
                worstProbability = Math.Max(worstProbability, Math.Abs(run.Probabilities[i] - reference.Probabilities[i]));
            if (!(worstProbability <= ProbabilityTolerance)) problems.Add($"lanes={lanes}: Infer probabilities differ by {worstProbability:E2}");
            output.WriteLine($"{name} lanes={lanes} vs 1, batch {count}: loss {lossError:E2}, gradients {worstGradient:E2} (of layer max), probabilities {worstProbability:E2}");
        }
        Assert.True(problems.Count == 0, $"{name}:\n" + string.Join("\n", problems));
    }

    /// <summary>
    /// Padding lanes are ignored in the loss, the gradients and batch statistics (INetwork contract): large values in
    /// the padding lanes of the last group must change nothing, bit for bit (they meet only exact zeros).
    /// </summary>
    [Theory]
    [MemberData(nameof(NetCases.NameData), MemberType = typeof(NetCases))]
    public void Values_in_padding_lanes_change_nothing(string name)
    {
        var net = NetCases.Create(name);
        NetCases.Randomize(net, 22);
        int count = NetCases.BatchSize(name);
        var (samples, labels) = NetCases.RandomBatch(net, count, 556);
        foreach (int lanes in new[] { 4, 8, 16 })
        {
            var clean = RunAt(net, lanes, samples, labels, count, noiseSeed: 3);
            var dirty = RunAt(net, lanes, samples, labels, count, noiseSeed: 3, garbagePadding: true);
            Assert.Equal(clean.Loss, dirty.Loss);
            Assert.Equal(clean.Correct, dirty.Correct);
            int differing = 0, first = -1;
            for (int i = 0; i < clean.Gradients.Length; i++)
                if (clean.Gradients[i] != dirty.Gradients[i]) { differing++; if (first < 0) first = i; }
            Assert.True(differing == 0,
                $"{name} lanes={lanes}: {differing} gradients change with padding-lane values, first p[{first}] ({GradientCheckTests.LayerOf(NetCases.Layers(net), first)}): " +
                $"{dirty.Gradients[Math.Max(first, 0)]:G7} vs {clean.Gradients[Math.Max(first, 0)]:G7}");
            Assert.Equal(clean.Probabilities, dirty.Probabilities);
        }
    }
}

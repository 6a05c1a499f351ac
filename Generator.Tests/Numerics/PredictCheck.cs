using System;
using System.Reflection;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// Single-sample prediction (the generated <c>Predict&lt;TLane&gt;</c>, which puts adjacent positions of one sample in the
/// lanes) against the batch kernels' <c>Infer</c> (samples in the lanes). Predict is a member of each generated class,
/// not of <see cref="INetwork"/>, so it is found by reflection: the same check serves the declared test networks and
/// the random networks compiled at run time.
/// </summary>
public static class PredictCheck
{
    public delegate void PredictFunction(ReadOnlySpan<float> image, Span<float> probabilities);
    public delegate int ClassifyFunction(ReadOnlySpan<float> image);

    /// <summary>
    /// Largest |Predict - Infer| of a probability allowed: the two compute the same sums in different orders (dense
    /// layers in lane-wide partial sums), so they agree to float rounding, amplified by deep or wide random nets.
    /// </summary>
    public const double Tolerance = 1e-5;

    /// <summary><c>Predict&lt;TLane&gt;</c> for lanes 1, 4, 8 or 16; lanes 0 is the non-generic <c>Predict</c> (the CPU's widest lanes).</summary>
    public static PredictFunction Predict(INetwork net, int lanes)
    {
        foreach (var method in net.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.Name != "Predict" || method.IsGenericMethodDefinition != (lanes != 0)) continue;
            var m = lanes switch
            {
                0 => method,
                1 => method.MakeGenericMethod(typeof(Lane1)),
                4 => method.MakeGenericMethod(typeof(Lane4)),
                8 => method.MakeGenericMethod(typeof(Lane8)),
                16 => method.MakeGenericMethod(typeof(Lane16)),
                _ => throw new ArgumentOutOfRangeException(nameof(lanes)),
            };
            return m.CreateDelegate<PredictFunction>(net);
        }
        throw new InvalidOperationException($"{net.GetType().Name} has no Predict method for lanes {lanes}.");
    }

    public static ClassifyFunction Classify(INetwork net) =>
        net.GetType().GetMethod("Classify", [typeof(ReadOnlySpan<float>)])!.CreateDelegate<ClassifyFunction>(net);

    /// <summary>
    /// Runs <paramref name="count"/> random samples through Infer (16 lanes) and through Predict at every lane width and
    /// the default; returns the largest difference, throwing if one exceeds <see cref="Tolerance"/>, a probability
    /// vector does not sum to 1, or Classify disagrees with the most probable class of Infer.
    /// </summary>
    public static double AssertAgreesWithInfer(INetwork net, int count, ulong seed, string label)
    {
        var (samples, _) = NetCases.RandomBatch(net, count, seed);
        var expected = new float[count * net.OutputSize];
        net.Infer(net.CreateWorkspace(16, count), NetCases.Pack(net, samples, count, 16), count, expected);
        var single = new float[net.OutputSize];
        var classify = Classify(net);
        double worst = 0;
        foreach (int lanes in new[] { 1, 4, 8, 16, 0 })
        {
            var predict = Predict(net, lanes);
            for (int s = 0; s < count; s++)
            {
                var image = samples.AsSpan(s * net.InputSize, net.InputSize);
                var want = expected.AsSpan(s * net.OutputSize, net.OutputSize);
                predict(image, single);
                double sum = 0;
                for (int k = 0; k < net.OutputSize; k++)
                {
                    double diff = Math.Abs(single[k] - want[k]);
                    worst = Math.Max(worst, diff);
                    if (!(diff <= Tolerance))
                        throw new Xunit.Sdk.XunitException($"{label}, lanes {lanes}, sample {s}, class {k}: Predict {single[k]} vs Infer {want[k]} (|diff| {diff:E2} > {Tolerance:E0})");
                    sum += single[k];
                }
                if (!(Math.Abs(sum - 1) < 1e-5))
                    throw new Xunit.Sdk.XunitException($"{label}, lanes {lanes}, sample {s}: probabilities sum to {sum}");
            }
        }
        for (int s = 0; s < count; s++)
        {
            var want = expected.AsSpan(s * net.OutputSize, net.OutputSize);
            int best = 0;
            for (int k = 1; k < net.OutputSize; k++) if (want[k] > want[best]) best = k;
            int got = classify(samples.AsSpan(s * net.InputSize, net.InputSize));
            // a near-tie may resolve either way under different rounding; a clear winner may not
            if (got != best && Math.Abs(want[got] - want[best]) > Tolerance)
                throw new Xunit.Sdk.XunitException($"{label}, sample {s}: Classify {got} (p {want[got]}) but Infer's best is {best} (p {want[best]})");
        }
        return worst;
    }
}

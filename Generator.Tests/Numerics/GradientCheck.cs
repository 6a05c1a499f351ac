using System;
using System.Collections.Generic;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>What one finite-difference check of a network found.</summary>
internal sealed record GradientCheckResult(int Checked, int Retried, int Rebatched, double Worst, string WorstAt, bool AnyClearlyNonZero, List<string> Failures);

/// <summary>
/// The finite-difference check shared by <see cref="GradientCheckTests"/> and the random-network property tests:
/// the gradient TrainStep adds (gradientScale 1) against central differences of Loss(...).LossSum.
/// </summary>
internal static class GradientCheck
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
    private const int FreshBatches = 2;
    /// <summary>The largest fraction of points that may need a smaller step.</summary>
    public const double MaxRetriedFraction = 0.15;

    // Relative error |a - n| / max(|a| + |n|, Floor). Gradients are of the summed (not mean) loss over 5-19 samples,
    // typically 0.1-10; the floor keeps near-zero gradients from being judged by round-off alone: below it the
    // comparison is absolute, at Tolerance * Floor = 1e-3.
    public const double Floor = 0.1;

    // float32 forward and backward: the finite difference itself carries ~1e-3 relative noise (round-off above,
    // divided by 2 eps), so a correct backward lands well below 1e-2; any wrong term (a missed channel tail, a
    // padding lane leaking, a wrong stride) gives errors of order 1.
    public const double Tolerance = 1e-2;

    /// <summary>
    /// Checks about <paramref name="budget"/> parameters (first and last of every layer, random others chosen with
    /// <paramref name="selectionSeed"/>) on random batches of <paramref name="count"/> samples drawn from <paramref name="seed"/>.
    /// </summary>
    public static GradientCheckResult Run(INetwork net, int budget, int count, ulong seed, int lanes = 1, ulong? selectionSeed = null)
    {
        var layers = NetCases.Layers(net);
        var indices = GradientCheckTests.Select(layers, net.ParameterCount, budget, selectionSeed ?? seed);
        var pending = indices;
        double worst = 0;
        string worstAt = "";
        int retried = 0, rebatched = 0;
        bool clearlyNonZero = false;
        var failures = new List<string>();
        for (int batch = 0; batch < FreshBatches + 1 && pending.Count > 0; batch++)
        {
            var (samples, labels) = NetCases.RandomBatch(net, count, seed * 31 + 1234 + (ulong)batch);
            var input = NetCases.Pack(net, samples, count, lanes);
            var ws = net.CreateWorkspace(lanes, count);
            ulong noiseSeed = seed + 77 + (ulong)batch;
            var analytic = new float[net.ParameterCount];
            net.TrainStep(ws, input, labels, count, 1f, analytic, noiseSeed);
            if (batch == 0)
                foreach (int i in indices)
                    if (Math.Abs(analytic[i]) > Floor) clearlyNonZero = true;

            double Numeric(int i, float eps)
            {
                var p = net.Parameters;
                float saved = p[i];
                p[i] = saved + eps;
                double plus = net.Loss(ws, input, labels, count, noiseSeed).LossSum;
                p[i] = saved - eps;
                double minus = net.Loss(ws, input, labels, count, noiseSeed).LossSum;
                p[i] = saved;
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
                    failures.Add($"p[{i}] ({GradientCheckTests.LayerOf(layers, i)}), batch {batch}: analytic {analytic[i]:G7}, numeric {n:G7}, relative error {error:E2}");
                }
                else if (error > worst) { worst = error; worstAt = $"p[{i}] ({GradientCheckTests.LayerOf(layers, i)})"; }
            }
            if (batch == 0) rebatched = failed.Count;
            pending = failed;
        }
        return new GradientCheckResult(indices.Count, retried, rebatched, worst, worstAt, clearlyNonZero, failures);
    }

    private static double Relative(double a, double n) => Math.Abs(a - n) / Math.Max(Math.Abs(a) + Math.Abs(n), Floor);
}

using System;
using System.Collections.Generic;
using CnnGen.Generator.Tests.Numerics;

namespace CnnGen.Generator.Tests.Properties;

/// <summary>What one finite-difference check of a network found.</summary>
internal sealed record GradientCheckResult(int Checked, int Retried, int Rebatched, double Worst, bool AnyClearlyNonZero, List<string> Failures);

/// <summary>
/// The finite-difference check of <see cref="GradientCheckTests"/> for any <see cref="INetwork"/>, at 1 lane: same step,
/// tolerance and floor; a point that fails at the first step is re-checked at smaller steps (a ReLU or max-pool kink
/// within the step corrupts only steps larger than its distance), then on fresh batches (a kink belongs to one batch,
/// a wrong backward to all). Tolerances are those of GradientCheckTests, not loosened.
/// </summary>
internal static class GradientCheck
{
    private const float Eps = 3e-3f;
    private static readonly float[] RetrySteps = [3e-4f, 3e-5f];
    private const int FreshBatches = 2;
    public const double Floor = 0.1;
    public const double Tolerance = 1e-2;
    /// <summary>The largest fraction of points that may need a smaller step, summed over a whole run.</summary>
    public const double MaxRetriedFraction = 0.15;

    public static GradientCheckResult Run(INetwork net, int budget, int count, ulong seed)
    {
        const int lanes = 1;
        var layers = NetCases.Layers(net);
        var indices = GradientCheckTests.Select(layers, net.ParameterCount, budget, seed);
        var pending = indices;
        double worst = 0;
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
                else if (error > worst) worst = error;
            }
            if (batch == 0) rebatched = failed.Count;
            pending = failed;
        }
        return new GradientCheckResult(indices.Count, retried, rebatched, worst, clearlyNonZero, failures);
    }

    private static double Relative(double a, double n) => Math.Abs(a - n) / Math.Max(Math.Abs(a) + Math.Abs(n), Floor);
}

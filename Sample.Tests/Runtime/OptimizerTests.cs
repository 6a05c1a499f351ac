using System;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>Each optimizer against its textbook formula, written out by hand for 3 steps on a 3-element vector.</summary>
public sealed class OptimizerTests
{
    private static readonly float[] Start = [1.0f, -2.0f, 0.5f];
    // A different gradient at each step so that momentum and moments matter.
    private static readonly float[][] Grads = [[0.1f, -0.3f, 0.5f], [0.2f, 0.1f, -0.4f], [-0.5f, 0.25f, 0.05f]];

    private static float[] Run(Optimizer optimizer, int steps = 3)
    {
        float[] p = (float[])Start.Clone();
        for (int t = 0; t < steps; t++) optimizer.Step(p, Grads[t]);
        return p;
    }

    private static void Near(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}, diff {Math.Abs(expected[i] - actual[i]):E2}");
    }

    [Fact]
    public void PlainSgd()
    {
        const double lr = 0.1;
        double[] p = [1.0, -2.0, 0.5];
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 3; i++)
                p[i] -= lr * Grads[t][i];
        Near(p, Run(new Sgd(0.1f)));
        // spot check step 1, element 0: 1 - 0.1*0.1 - 0.1*0.2 + 0.1*0.5 = 1.02
        Assert.Equal(1.02, p[0], 7); // the gradients are floats, so 7 places
    }

    [Fact]
    public void SgdWithCoupledWeightDecay()
    {
        const double lr = 0.1, wd = 0.01;
        double[] p = [1.0, -2.0, 0.5];
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 3; i++)
                p[i] -= lr * (Grads[t][i] + wd * p[i]);
        Near(p, Run(new Sgd(0.1f, weightDecay: 0.01f)));
    }

    [Fact]
    public void SgdMomentum()
    {
        const double lr = 0.05, mu = 0.9;
        double[] p = [1.0, -2.0, 0.5], v = new double[3];
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 3; i++)
            {
                v[i] = mu * v[i] + Grads[t][i];
                p[i] -= lr * v[i];
            }
        Near(p, Run(new Sgd(0.05f, momentum: 0.9f)));
        // by hand for element 0: v = 0.1, 0.29, -0.239; p = 1 - 0.005 - 0.0145 + 0.01195
        Assert.Equal(0.99245, p[0], 7);
    }

    [Fact]
    public void SgdNesterov()
    {
        const double lr = 0.05, mu = 0.9, wd = 0.001;
        double[] p = [1.0, -2.0, 0.5], v = new double[3];
        for (int t = 0; t < 3; t++)
            for (int i = 0; i < 3; i++)
            {
                double g = Grads[t][i] + wd * p[i];
                v[i] = mu * v[i] + g;
                p[i] -= lr * (g + mu * v[i]);
            }
        Near(p, Run(new Sgd(0.05f, momentum: 0.9f, nesterov: true, weightDecay: 0.001f)));
    }

    private static double[] AdamByHand(double lr, double wd, bool decoupled)
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] p = [1.0, -2.0, 0.5], m = new double[3], v = new double[3];
        for (int t = 1; t <= 3; t++)
            for (int i = 0; i < 3; i++)
            {
                double g = Grads[t - 1][i];
                if (decoupled) p[i] *= 1 - lr * wd;
                else g += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        return p;
    }

    [Fact]
    public void Adam()
    {
        double[] expected = AdamByHand(0.01, 0, decoupled: false);
        Near(expected, Run(new Adam(0.01f)));
        // The first Adam step moves every element by about lr against the gradient's sign.
        float[] one = Run(new Adam(0.01f), steps: 1);
        Near([0.99, -1.99, 0.49], one);
    }

    [Fact]
    public void AdamWithCoupledL2()
    {
        Near(AdamByHand(0.01, 0.1, decoupled: false), Run(new Adam(0.01f, weightDecay: 0.1f)));
    }

    [Fact]
    public void AdamWDecouplesWeightDecay()
    {
        double[] expected = AdamByHand(0.01, 0.1, decoupled: true);
        Near(expected, Run(new AdamW(0.01f, weightDecay: 0.1f)));
        // and it differs from coupled L2 by more than the tolerance
        double[] coupled = AdamByHand(0.01, 0.1, decoupled: false);
        Assert.True(Math.Abs(expected[0] - coupled[0]) > 1e-5);
    }

    /// <summary>
    /// The optimizers run vectors first and scalars for the tail; on a long vector (vector part plus tail) every
    /// element must equal, bit for bit, the scalar float formula (the same operations in the same order).
    /// </summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void VectorPathEqualsTheScalarFormulaExactly(string kind)
    {
        const int n = 103; // several vectors of any width, plus a tail
        const float lr = 0.01f, wd = 0.02f, mu = 0.9f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, scale = 0.5f;
        var rng = new Rng(11);
        float[] start = new float[n];
        for (int i = 0; i < n; i++) start[i] = (float)(rng.NextDouble() * 2 - 1);
        var grads = new float[3][];
        for (int t = 0; t < 3; t++)
        {
            grads[t] = new float[n];
            for (int i = 0; i < n; i++) grads[t][i] = (float)(rng.NextDouble() - 0.5);
        }
        Optimizer optimizer = kind switch
        {
            "sgd" => new Sgd(lr, weightDecay: wd),
            "momentum" => new Sgd(lr, momentum: mu, weightDecay: wd),
            "nesterov" => new Sgd(lr, momentum: mu, nesterov: true, weightDecay: wd),
            "adam" => new Adam(lr, b1, b2, eps, weightDecay: wd),
            _ => new AdamW(lr, b1, b2, eps, weightDecay: wd),
        };
        float[] actual = (float[])start.Clone();
        for (int t = 0; t < 3; t++) optimizer.Step(actual, grads[t], scale);

        float[] p = (float[])start.Clone(), v = new float[n], m = new float[n];
        for (int t = 1; t <= 3; t++)
        {
            float c1 = (float)(1.0 - Math.Pow(b1, t)), c2 = (float)(1.0 - Math.Pow(b2, t));
            for (int i = 0; i < n; i++)
            {
                float g0 = scale * grads[t - 1][i];
                switch (kind)
                {
                    case "sgd":
                        p[i] -= lr * (g0 + wd * p[i]);
                        break;
                    case "momentum":
                    case "nesterov":
                    {
                        float g = g0 + wd * p[i];
                        float vi = mu * v[i] + g;
                        v[i] = vi;
                        p[i] -= lr * (kind == "nesterov" ? g + mu * vi : vi);
                        break;
                    }
                    default:
                    {
                        bool decoupled = kind == "adamw";
                        float decayed = p[i] * (decoupled ? 1f - lr * wd : 1f);
                        float g = g0 + (decoupled ? 0f : wd) * p[i];
                        float mi = b1 * m[i] + (1f - b1) * g;
                        float vi = b2 * v[i] + (1f - b2) * g * g;
                        m[i] = mi;
                        v[i] = vi;
                        p[i] = decayed - lr * (mi / c1) / (MathF.Sqrt(vi / c2) + eps);
                        break;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++)
            Assert.True(BitConverter.SingleToInt32Bits(p[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{kind}, element {i}: scalar formula {p[i]:R}, optimizer {actual[i]:R}");
    }

    [Fact]
    public void RangesGiveTheSameResultAsOneStep()
    {
        foreach (Func<Optimizer> make in new Func<Optimizer>[] { () => new Sgd(0.05f, 0.9f, true, 0.01f), () => new AdamW(0.01f) })
        {
            float[] whole = Run(make());
            var split = make();
            float[] p = (float[])Start.Clone();
            for (int t = 0; t < 3; t++)
            {
                split.BeginStep(3);
                split.UpdateRange(p.AsSpan(2, 1), Grads[t].AsSpan(2, 1), 2);
                split.UpdateRange(p.AsSpan(0, 2), Grads[t].AsSpan(0, 2), 0);
            }
            Assert.Equal(whole, p);
        }
    }

    [Fact]
    public void ExportedStateResumesExactly()
    {
        var first = new Adam(0.01f);
        float[] p = (float[])Start.Clone();
        first.Step(p, Grads[0]);
        var state = first.ExportState();
        Assert.Equal(("Adam", 1L, 2), (state.Kind, state.StepCount, state.Buffers.Length));

        var second = new Adam(0.01f);
        second.ImportState(state);
        second.Step(p, Grads[1]);
        second.Step(p, Grads[2]);
        Assert.Equal(Run(new Adam(0.01f)), p);

        var e = Assert.Throws<InvalidOperationException>(() => new Sgd(0.1f, 0.9f).ImportState(state));
        Assert.Contains("'Adam'", e.Message);
        Assert.Contains("'Sgd'", e.Message);
    }

    [Fact]
    public void ClipByGlobalNorm()
    {
        float[] g = [3f, 4f, 0f];
        Assert.Equal(5.0, Optimizer.GlobalNorm(g), 12);
        float factor = Optimizer.ClipFactor(5.0, 1f);
        Assert.Equal((float)(1.0 / (5.0 + 1e-6)), factor);
        Assert.Equal(1f, Optimizer.ClipFactor(0.5, 1f));

        // SGD with the clipping factor: p -= lr * g * factor
        float[] p = [0f, 0f, 0f];
        new Sgd(1f).Step(p, g, factor);
        Assert.Equal(-0.6f, p[0], 5);
        Assert.Equal(-0.8f, p[1], 5);
    }
}

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Constant() => Assert.Equal(0.1f, LearningRateSchedule.Constant(0.1f).At(1234, 2000));

    [Fact]
    public void StepDecay()
    {
        var s = LearningRateSchedule.StepDecay(0.1f, stepSize: 10, gamma: 0.5f);
        Assert.Equal(0.1f, s.At(0, 100));
        Assert.Equal(0.1f, s.At(9, 100));
        Assert.Equal(0.05f, s.At(10, 100));
        Assert.Equal(0.025f, s.At(25, 100));
    }

    [Fact]
    public void Cosine()
    {
        var s = LearningRateSchedule.Cosine(0.1f, 0.001f);
        Assert.Equal(0.1f, s.At(0, 100));
        Assert.Equal((float)(0.001 + 0.099 * 0.5), s.At(50, 100), 7);
        Assert.Equal((float)(0.001 + 0.099 * 0.5 * (1 + Math.Cos(Math.PI * 0.25))), s.At(25, 100), 7);
        Assert.Equal(0.001f, s.At(100, 100), 7);
    }

    [Fact]
    public void OneCycle()
    {
        // 100 steps, warm-up 30: from 0.1/25 = 0.004 up to 0.1, then cosine down to 0.004/1e4 at step 99.
        var s = LearningRateSchedule.OneCycle(0.1f, warmupFraction: 0.3f);
        Assert.Equal(0.004f, s.At(0, 100), 7);
        Assert.Equal((float)(0.004 + 0.096 * 15 / 30), s.At(15, 100), 7);
        Assert.Equal(0.1f, s.At(30, 100), 7);
        double final = 0.004 / 1e4;
        Assert.Equal((float)(final + (0.1 - final) * 0.5 * (1 + Math.Cos(Math.PI * 34.0 / 69))), s.At(64, 100), 7);
        Assert.Equal((float)final, s.At(99, 100), 9);
        // monotone up during warm-up, down after
        for (int t = 1; t <= 30; t++) Assert.True(s.At(t, 100) > s.At(t - 1, 100));
        for (int t = 31; t < 100; t++) Assert.True(s.At(t, 100) < s.At(t - 1, 100));
    }
}

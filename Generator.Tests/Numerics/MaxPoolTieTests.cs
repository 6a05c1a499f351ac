using System;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// PERFORMANCE.md rule 6: max-pool backward sends the gradient to the first maximum of each window only, in row-major
/// order, like a scalar arg-max. Pool layers have no parameters, so the nets put a bias-free 2x2 convolution with
/// weights (1, 0, 0, 0) before the pool: its output equals the input (exact ties stay exact), and the gradient of the
/// taps (0,1), (1,0), (1,1) reads the input next to whichever position took the pool gradient. That gradient is
/// compared with a scalar reference here, which is shown to differ from "ties go to the last" and "ties go to all".
/// </summary>
public class MaxPoolTieTests(ITestOutputHelper output)
{
    private enum TieRule { First, Last, All }

    // float32 sums of ~19 x (a few) terms in a different order than the double reference
    private const double Tolerance = 1e-5; // max |dw - ref| / max |ref|

    [Theory]
    [InlineData(nameof(TiePoolNet), 1)]
    [InlineData(nameof(TiePoolNet), 4)]
    [InlineData(nameof(TiePoolNet), 8)]
    [InlineData(nameof(TiePoolNet), 16)]
    [InlineData(nameof(TieOverlapPoolNet), 1)]
    [InlineData(nameof(TieOverlapPoolNet), 4)]
    [InlineData(nameof(TieOverlapPoolNet), 8)]
    [InlineData(nameof(TieOverlapPoolNet), 16)]
    [InlineData(nameof(TieReluPoolNet), 1)]
    [InlineData(nameof(TieReluPoolNet), 4)]
    [InlineData(nameof(TieReluPoolNet), 8)]
    [InlineData(nameof(TieReluPoolNet), 16)]
    [InlineData(nameof(TieReluOverlapPoolNet), 1)]
    [InlineData(nameof(TieReluOverlapPoolNet), 4)]
    [InlineData(nameof(TieReluOverlapPoolNet), 16)]
    public void Gradient_goes_to_the_first_maximum_of_each_window(string name, int lanes)
    {
        var net = NetCases.Create(name);
        // geometry of the two nets: input 1xHxW, conv 2x2 -> (H-1)x(W-1), pool window P, stride S
        (int h, int w, int pool, int stride) = name is nameof(TiePoolNet) or nameof(TieReluPoolNet) ? (5, 5, 2, 2) : (8, 8, 3, 2);
        bool relu = name.Contains("Relu"); // a ReLU between the convolution and the pool (fused into the pool)
        int ch = h - 1, cw = w - 1, ph = (ch - pool) / stride + 1, pw = (cw - pool) / stride + 1, features = ph * pw;
        Assert.Equal(4 + 3 * features + 3, net.ParameterCount);

        NetCases.Randomize(net, 5);
        var p = net.Parameters;
        p[0] = 1f; p[1] = 0f; p[2] = 0f; p[3] = 0f; // conv taps (0,0) (0,1) (1,0) (1,1)

        // inputs with exact ties: mostly 0 (a black background) and a few repeated values, some distinct ones
        const int count = 19;
        var rng = new Rng(31);
        var samples = new float[count * h * w];
        float[] palette = [0f, 0f, 0f, 0f, 1f, 1f, 2f, -1f];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = rng.NextInt(5) == 0 ? (float)Math.Round(rng.NextGaussian(), 2) : palette[rng.NextInt(palette.Length)];
        var labels = new int[count];
        for (int s = 0; s < count; s++) labels[s] = rng.NextInt(3);

        var gradients = new float[net.ParameterCount];
        net.TrainStep(net.CreateWorkspace(lanes, count), NetCases.Pack(net, samples, count, lanes), labels, count, 1f, gradients, 1);

        var dense = net.Parameters.Slice(4, 3 * features).ToArray();
        var bias = net.Parameters.Slice(4 + 3 * features, 3).ToArray();
        double[] Reference(TieRule rule) => ConvWeightGradient(samples, labels, count, h, w, pool, stride, dense, bias, rule, relu);
        var first = Reference(TieRule.First);
        var last = Reference(TieRule.Last);
        var all = Reference(TieRule.All);

        double scale = 0, diff = 0, diffLast = 0, diffAll = 0;
        for (int k = 0; k < 4; k++)
        {
            scale = Math.Max(scale, Math.Abs(first[k]));
            diff = Math.Max(diff, Math.Abs(gradients[k] - first[k]));
            diffLast = Math.Max(diffLast, Math.Abs(last[k] - first[k]));
            diffAll = Math.Max(diffAll, Math.Abs(all[k] - first[k]));
        }
        output.WriteLine($"{name} lanes={lanes}: conv dw = [{string.Join(", ", gradients[..4])}], first-max reference = [{string.Join(", ", Array.ConvertAll(first, v => v.ToString("G7")))}]; " +
                         $"max error {diff / scale:E2} of max |ref|; last-max rule would differ by {diffLast / scale:E2}, all-ties rule by {diffAll / scale:E2}");
        // the input must make the rules distinguishable, else this test proves nothing
        Assert.True(diffLast / scale > 1e-2 && diffAll / scale > 1e-2, "the tie pattern does not discriminate between tie rules");
        Assert.True(diff / scale <= Tolerance,
            $"{name} lanes={lanes}: conv weight gradient [{string.Join(", ", gradients[..4])}] is not the first-maximum reference " +
            $"[{string.Join(", ", first)}] (last-max: [{string.Join(", ", last)}], all ties: [{string.Join(", ", all)}])");
    }

    /// <summary>
    /// Scalar reference in double: conv (1,0,0,0) = identity on the top-left (H-1)x(W-1), optionally ReLU, max pool,
    /// dense, softmax cross-entropy, backward to the conv taps. The ReLU comes first, as declared: the pool picks among
    /// max(x, 0), so a window of negatives and zeros ties at 0, and the ReLU passes no gradient to an x that is not above 0.
    /// </summary>
    private static double[] ConvWeightGradient(float[] samples, int[] labels, int count, int h, int w, int pool, int stride,
                                               float[] dense, float[] bias, TieRule rule, bool relu)
    {
        int ch = h - 1, cw = w - 1, ph = (ch - pool) / stride + 1, pw = (cw - pool) / stride + 1, features = ph * pw;
        var dw = new double[4];
        for (int s = 0; s < count; s++)
        {
            double X(int r, int c) => samples[s * h * w + r * w + c];
            double Y(int r, int c) => relu ? Math.Max(X(r, c), 0) : X(r, c); // what the pool sees
            // forward: pooled features, remembering the winning positions of each window
            var pooled = new double[features];
            var winners = new System.Collections.Generic.List<(int R, int C)>[features];
            for (int oh = 0; oh < ph; oh++)
                for (int ow = 0; ow < pw; ow++)
                {
                    int f = oh * pw + ow;
                    double m = double.NegativeInfinity;
                    for (int kh = 0; kh < pool; kh++)
                        for (int kw = 0; kw < pool; kw++)
                            m = Math.Max(m, Y(oh * stride + kh, ow * stride + kw));
                    pooled[f] = m;
                    winners[f] = [];
                    for (int kh = 0; kh < pool; kh++)
                        for (int kw = 0; kw < pool; kw++)
                            if (Y(oh * stride + kh, ow * stride + kw) == m) winners[f].Add((oh * stride + kh, ow * stride + kw));
                    if (rule == TieRule.First) winners[f] = [winners[f][0]];
                    if (rule == TieRule.Last) winners[f] = [winners[f][^1]];
                }
            // dense + softmax cross-entropy
            var z = new double[3];
            for (int o = 0; o < 3; o++)
            {
                z[o] = bias[o];
                for (int f = 0; f < features; f++) z[o] += dense[o * features + f] * pooled[f];
            }
            double max = Math.Max(z[0], Math.Max(z[1], z[2])), sum = 0;
            for (int o = 0; o < 3; o++) sum += Math.Exp(z[o] - max);
            var dz = new double[3];
            for (int o = 0; o < 3; o++) dz[o] = Math.Exp(z[o] - max) / sum - (o == labels[s] ? 1 : 0);
            // backward to the conv output, then to the taps: dw[a,b] += dy[r,c] * x[r+a, c+b]
            for (int f = 0; f < features; f++)
            {
                double g = 0;
                for (int o = 0; o < 3; o++) g += dense[o * features + f] * dz[o];
                foreach (var (r, c) in winners[f])
                    if (!relu || X(r, c) > 0) // the ReLU's derivative: 0 where x <= 0
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++)
                            dw[a * 2 + b] += g * X(r + a, c + b);
            }
        }
        return dw;
    }
}

using System;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// BatchNorm's gradients against a float64 reference computed here from the same inputs and parameters. Batch
/// statistics summed in one float32 accumulator over thousands of values (at one sample per lane, all of a channel's
/// values go through one accumulator) drift by 1e-4 relative; summed in double they stay within 1e-5 at every width.
/// </summary>
public class BatchNormPrecisionTests(ITestOutputHelper output)
{
    private const int C = 3, HW = 24 * 24, Classes = 10, Count = 48;
    private const double Eps = 1e-5;

    /// <summary>dgamma, dbeta and the dense weights' gradient of the summed cross-entropy, in double.</summary>
    private static (double[] DGamma, double[] DBeta, double[] DW) Reference(float[] x, int[] labels, float[] p)
    {
        int features = C * HW;
        double[] gamma = new double[C], beta = new double[C];
        for (int c = 0; c < C; c++) { gamma[c] = p[c]; beta[c] = p[C + c]; }
        int wOffset = 2 * C, bOffset = wOffset + Classes * features;

        // batch statistics per channel over samples and positions
        var mean = new double[C];
        var invstd = new double[C];
        for (int c = 0; c < C; c++)
        {
            double sum = 0;
            for (int s = 0; s < Count; s++)
                for (int k = 0; k < HW; k++) sum += x[(s * C + c) * HW + k];
            mean[c] = sum / (Count * HW);
            double sq = 0;
            for (int s = 0; s < Count; s++)
                for (int k = 0; k < HW; k++) { double d = x[(s * C + c) * HW + k] - mean[c]; sq += d * d; }
            invstd[c] = 1 / Math.Sqrt(sq / (Count * HW) + Eps);
        }
        var xhat = new double[Count * features];
        var h = new double[Count * features];
        for (int s = 0; s < Count; s++)
            for (int c = 0; c < C; c++)
                for (int k = 0; k < HW; k++)
                {
                    int i = (s * C + c) * HW + k;
                    xhat[i] = (x[i] - mean[c]) * invstd[c];
                    h[i] = gamma[c] * xhat[i] + beta[c];
                }

        var dGamma = new double[C];
        var dBeta = new double[C];
        var dW = new double[Classes * features];
        var dh = new double[features];
        var logits = new double[Classes];
        for (int s = 0; s < Count; s++)
        {
            for (int o = 0; o < Classes; o++)
            {
                double z = p[bOffset + o];
                for (int i = 0; i < features; i++) z += p[wOffset + o * features + i] * h[s * features + i];
                logits[o] = z;
            }
            double max = logits.Max(), norm = logits.Sum(z => Math.Exp(z - max));
            Array.Clear(dh);
            for (int o = 0; o < Classes; o++)
            {
                double g = Math.Exp(logits[o] - max) / norm - (o == labels[s] ? 1 : 0);
                for (int i = 0; i < features; i++)
                {
                    dW[o * features + i] += g * h[s * features + i];
                    dh[i] += g * p[wOffset + o * features + i];
                }
            }
            for (int c = 0; c < C; c++)
                for (int k = 0; k < HW; k++)
                {
                    dGamma[c] += dh[c * HW + k] * xhat[(s * C + c) * HW + k];
                    dBeta[c] += dh[c * HW + k];
                }
        }
        return (dGamma, dBeta, dW);
    }

    /// <summary>The largest difference relative to the largest reference magnitude.</summary>
    private static double Error(ReadOnlySpan<float> actual, double[] reference)
    {
        double worst = 0, scale = reference.Max(Math.Abs);
        for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - reference[i]));
        return worst / scale;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void Gradients_match_a_float64_reference_within_1e_5(int lanes)
    {
        INetwork net = new BatchNormPrecisionNet();
        NetCases.Randomize(net, 5);
        // inputs with an offset, as after a ReLU or a convolution with bias: the sums are large next to their spread
        var rng = new Rng(99);
        var x = new float[Count * C * HW];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(4 + rng.NextGaussian());
        var labels = Enumerable.Range(0, Count).Select(i => i % Classes).ToArray();

        var gradients = new float[net.ParameterCount];
        var ws = net.CreateWorkspace(lanes, Count);
        net.TrainStep(ws, NetCases.Pack(net, x, Count, lanes), labels, Count, 1f, gradients, noiseSeed: 1);
        var (dGamma, dBeta, dW) = Reference(x, labels, net.Parameters.ToArray());

        double eGamma = Error(gradients.AsSpan(0, C), dGamma), eBeta = Error(gradients.AsSpan(C, C), dBeta);
        double eW = Error(gradients.AsSpan(2 * C, dW.Length), dW);
        output.WriteLine($"lanes={lanes}: relative error dgamma {eGamma:E2}, dbeta {eBeta:E2}, dense dw {eW:E2}");
        Assert.True(eGamma < 1e-5, $"lanes={lanes}: dgamma {eGamma:E2} from the float64 reference");
        Assert.True(eBeta < 1e-5, $"lanes={lanes}: dbeta {eBeta:E2} from the float64 reference");
        Assert.True(eW < 1e-5, $"lanes={lanes}: dense dw {eW:E2} from the float64 reference");
    }
}

using System;
using Xunit;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// What groups mean: a grouped convolution computes what an ordinary one computes when each filter's weights for the
/// input channels outside its group are 0. (The gradient checks prove backward agrees with forward; this proves
/// forward sees the right channels.)
/// </summary>
public class GroupedConvolutionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void A_grouped_convolution_is_an_ordinary_one_with_zeros_across_groups(int lanes)
    {
        var groupedNet = new GroupedPairNet();
        INetwork grouped = groupedNet, plain = new UngroupedPairNet();
        NetCases.Randomize(grouped, 3);
        const int C = 4, OC = 6, K = 3, G = 2, CG = C / G, OCG = OC / G, KK = K * K;
        var g = grouped.Parameters;
        var p = plain.Parameters;
        p.Clear();
        // conv weights (OC, CG, K, K) -> (OC, C, K, K), zero outside the filter's group
        for (int oc = 0; oc < OC; oc++)
            for (int c = 0; c < CG; c++)
                for (int t = 0; t < KK; t++)
                    p[(oc * C + (oc / OCG) * CG + c) * KK + t] = g[(oc * CG + c) * KK + t];
        // the bias and the dense layer follow, in the same order
        int groupedConv = OC * CG * KK, plainConv = OC * C * KK;
        g.Slice(groupedConv).CopyTo(p.Slice(plainConv));

        int count = 19;
        var (samples, _) = NetCases.RandomBatch(grouped, count, 8);
        var input = NetCases.Pack(grouped, samples, count, lanes);
        var a = new float[count * 3];
        var b = new float[count * 3];
        grouped.Infer(grouped.CreateWorkspace(lanes, count), input, count, a);
        plain.Infer(plain.CreateWorkspace(lanes, count), input, count, b);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6, $"lanes={lanes}: probability {i}: grouped {a[i]}, ungrouped {b[i]}");

        // and the single-sample path agrees too
        var one = new float[3];
        groupedNet.Predict(samples.AsSpan(0, grouped.InputSize), one);
        for (int k = 0; k < 3; k++) Assert.True(Math.Abs(one[k] - b[k]) <= 1e-6, $"Predict class {k}: {one[k]} vs {b[k]}");
    }
}

using System;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>Runtime kernels the generated code calls, against plain reference loops.</summary>
public sealed class KernelTests
{
    /// <summary>Random values packed as groups x features x lanes, and the same per sample: [sample][feature].</summary>
    private static (float[] Lanes, float[] Samples) Random(int groups, int features, int lanes, ulong seed)
    {
        var rng = new Rng(seed);
        var packed = new float[groups * features * lanes];
        var samples = new float[groups * lanes * features];
        for (int g = 0; g < groups; g++)
            for (int f = 0; f < features; f++)
                for (int l = 0; l < lanes; l++)
                {
                    float v = (float)(rng.NextDouble() * 2 - 1);
                    packed[(g * features + f) * lanes + l] = v;
                    samples[(g * lanes + l) * features + f] = v;
                }
        return (packed, samples);
    }

    /// <summary>
    /// Dropout masks at 16 and 8 lanes (eight at a time with AVX-512; CI runs this again without it) equal, bit for bit,
    /// the scalar formula written out here, sample by sample; and drop about the rate.
    /// </summary>
    [Theory]
    [InlineData(16, 3, 3136, 0.3f)]
    [InlineData(8, 5, 100, 0.5f)]
    [InlineData(1, 40, 7, 0.25f)]
    public void DropoutMasksAreTheScalarFormulaAtEveryLaneWidth(int lanes, int groups, int size, float rate)
    {
        var mask = new float[groups * size * lanes];
        Kernels.DropoutMask(mask, groups, size, lanes, rate, seed: 99, layer: 4);
        ulong layerSeed = Rng.Derive(99, 4), threshold = (ulong)(rate * 4294967296.0);
        int dropped = 0;
        for (int g = 0; g < groups; g++)
            for (int e = 0; e < size; e++)
                for (int l = 0; l < lanes; l++)
                {
                    ulong sample = (ulong)(g * lanes + l);
                    float expected = Rng.Mix(layerSeed ^ Rng.Mix(sample * 0x100000001B3UL + (ulong)e)) >> 32 < threshold ? 0f : 1f / (1f - rate);
                    float actual = mask[(g * size + e) * lanes + l];
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                                $"sample {sample}, element {e}: {actual} instead of {expected}");
                    if (actual == 0) dropped++;
                }
        Assert.InRange(dropped / (double)mask.Length, rate - 0.05, rate + 0.05);
    }

    [Theory]
    [InlineData(16, 5, 7, 37)]    // rows in blocks of 4 plus 3, inputs 32 + 5 (vector, then scalar tail)
    [InlineData(8, 6, 6, 61)]     // inputs 48 + 8 + 5: 32- or 16-wide blocks, an 8-wide row tail and a scalar one
    [InlineData(16, 4, 120, 400)] // LeNet-5's first dense layer, exactly one 64-sample chunk
    [InlineData(8, 9, 10, 84)]    // 72 samples: a chunk of 64 and one of 8
    [InlineData(1, 70, 3, 19)]    // one sample per group
    public void DenseWeightGradient_sums_every_sample_in_order_for_any_chunking(int lanes, int groups, int outputs, int inputs)
    {
        var (dy, dySamples) = Random(groups, outputs, lanes, 1);
        var (x, xSamples) = Random(groups, inputs, lanes, 2);
        var start = Random(1, outputs * inputs, 1, 3).Lanes;
        int n = groups * lanes;

        // reference: each weight's FMAs over the samples in order, one at a time
        var expected = (float[])start.Clone();
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                for (int s = 0; s < n; s++)
                    expected[o * inputs + i] = MathF.FusedMultiplyAdd(dySamples[s * outputs + o], xSamples[s * inputs + i], expected[o * inputs + i]);

        // whole 64-sample chunks, and scratch for only one lane group at a time: the same FMAs in the same order
        foreach (int scratchGroups in new[] { Math.Max(1, Kernels.DenseChunkSamples / lanes), 1 })
        {
            var dw = (float[])start.Clone();
            Kernels.DenseWeightGradient(dy, x, groups, lanes, outputs, inputs, dw, new float[(inputs + outputs) * lanes * scratchGroups]);
            Assert.Equal(expected, dw);
        }
        var e = Assert.Throws<ArgumentException>(() =>
            Kernels.DenseWeightGradient(dy, x, groups, lanes, outputs, inputs, (float[])start.Clone(), new float[(inputs + outputs) * lanes - 1]));
        Assert.Contains("Scratch holds", e.Message);
    }
}

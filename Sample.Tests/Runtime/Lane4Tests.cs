using System;
using System.Runtime;
using CnnGen.Data;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>Four lanes (Vector128) through the runtime's batch packing and trainer checks.</summary>
public sealed class Lane4Tests
{
    private static ImageDataset Make(int count, int channels, int height, int width, int classes) =>
        ImageDatasetTests.Make(count, channels, height, width, classes);

    [Theory]
    [InlineData(1, 2, 3)]
    [InlineData(1, 28, 28)]
    [InlineData(3, 5, 7)]
    public void PackBatch_at_4_lanes_writes_the_lanes_layout_with_zero_padding(int channels, int height, int width)
    {
        var data = Make(count: 30, channels, height, width, classes: 4);
        int[] indices = [7, 3, 29, 0, 11, 12, 5, 6, 1, 2, 4]; // 3 groups, 1 padding lane
        foreach (var norm in new[] { PixelNormalization.Scale01, PixelNormalization.Standardize(0.1307f, 0.3081f) })
        {
            int length = LaneLayout.Length(indices.Length, data.SampleSize, 4);
            var packed = new float[length + 5];
            packed.AsSpan().Fill(float.NaN);
            var labels = new int[indices.Length];
            data.PackBatch(indices, 4, norm, packed, labels);

            var floats = new float[indices.Length * data.SampleSize];
            for (int s = 0; s < indices.Length; s++)
                for (int e = 0; e < data.SampleSize; e++)
                    floats[s * data.SampleSize + e] = norm.Table[data.Pixels(indices[s])[e]];
            var expected = new float[length];
            LaneLayout.Pack(floats, indices.Length, data.SampleSize, 4, expected);

            Assert.Equal(expected, packed.AsSpan(0, length).ToArray());
            Assert.True(float.IsNaN(packed[length]), "PackBatch wrote past the batch.");
            for (int s = 0; s < indices.Length; s++) Assert.Equal(indices[s] % 4, labels[s]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => data.PackBatch(indices, 2, PixelNormalization.Scale01, new float[1000 * data.SampleSize], new int[indices.Length]));
    }

    [Fact]
    public void KernelPrecompiler_compiles_the_kernels_for_Lane4()
    {
        // LaneWidths.LaneType is what KernelPrecompiler.Start maps Trainer.Lanes with
        var lane = LaneWidths.LaneType(4);
        Assert.Equal(typeof(Lane4), lane);
        int kernels = KernelPrecompiler.Kernels(typeof(PrecompiledNet)).Count;
        long before = JitInfo.GetCompiledMethodCount(currentThread: true);
        KernelPrecompiler.Compile(typeof(PrecompiledNet), lane!);
        long compiled = JitInfo.GetCompiledMethodCount(currentThread: true) - before;
        Assert.True(compiled >= kernels, $"{compiled} methods compiled for {kernels} kernels at 4 lanes");
    }

    [Fact]
    public void Trainer_accepts_4_lanes_and_rejects_other_widths()
    {
        var net = new LinearNet(1, 2, 3, classes: 4);
        using (var trainer = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Epochs = 1, BatchSize = 8, Lanes = 4 }))
            Assert.Equal(4, trainer.Lanes);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(net, new Sgd(0.1f), new TrainerOptions { Lanes = 2 }));
        Assert.Contains("Lanes must be 0 (preferred) or 1, 4, 8 or 16.", e.Message);
    }
}

using System;
using CnnGen.Data;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

public sealed class ImageDatasetTests
{
    /// <summary>A small dataset with distinct bytes per sample and element (also used by <see cref="Lane4Tests"/>).</summary>
    internal static ImageDataset Make(int count, int channels, int height, int width, int classes)
    {
        int size = channels * height * width;
        var pixels = new byte[count * size];
        var labels = new byte[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = (byte)(s % classes);
            for (int e = 0; e < size; e++) pixels[s * size + e] = (byte)(s * 31 + e * 5);
        }
        return new ImageDataset(pixels, labels, channels, height, width, classes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    public void PackBatchWritesTheLanesLayoutWithZeroPadding(int lanes)
    {
        var data = Make(count: 30, channels: 2, height: 2, width: 3, classes: 4);
        int[] indices = [7, 3, 29, 0, 11, 12, 5, 6, 1, 2, 4];
        int length = LaneLayout.Length(indices.Length, data.SampleSize, lanes);
        var packed = new float[length + 5];
        packed.AsSpan().Fill(float.NaN); // the padding must be overwritten with 0
        var labels = new int[indices.Length];
        data.PackBatch(indices, lanes, PixelNormalization.Scale01, packed, labels);

        // The same batch through the reference packer over sample-major floats.
        var floats = new float[indices.Length * data.SampleSize];
        for (int s = 0; s < indices.Length; s++)
            for (int e = 0; e < data.SampleSize; e++)
                floats[s * data.SampleSize + e] = data.Pixels(indices[s])[e] / 255f;
        var expected = new float[length];
        LaneLayout.Pack(floats, indices.Length, data.SampleSize, lanes, expected);

        Assert.Equal(expected, packed.AsSpan(0, length).ToArray());
        Assert.True(float.IsNaN(packed[length]), "PackBatch wrote past the batch.");
        for (int s = 0; s < indices.Length; s++) Assert.Equal(indices[s] % 4, labels[s]);
    }

    [Theory]
    [InlineData(8, 1, 28, 28)]
    [InlineData(16, 1, 28, 28)]
    [InlineData(8, 2, 5, 7)]   // 70 values: four runs of 16 pixels and 6 left over
    [InlineData(16, 2, 5, 7)]
    public void PackBatch_gives_the_tables_floats_for_every_normalization(int lanes, int channels, int height, int width)
    {
        // the vectorized packer (16 pixels of each sample at a time, transposed) against the table, pixel by pixel
        int size = channels * height * width, samples = 40;
        var pixels = new byte[samples * size];
        var rng = new Rng(9);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)rng.NextInt(256);
        var labels = new byte[samples];
        for (int s = 0; s < samples; s++) labels[s] = (byte)(s % 10);
        var data = new ImageDataset(pixels, labels, channels, height, width, 10);
        int[] indices = [39, 0, 17, 5, 5, 22, 31, 8, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 32, 33];
        foreach (var norm in new[] { PixelNormalization.Scale01, PixelNormalization.Mnist, PixelNormalization.Standardize(0.5f, 0.25f), PixelNormalization.Standardize(-3.7f, 11f) })
        {
            int length = LaneLayout.Length(indices.Length, size, lanes);
            var packed = new float[length];
            packed.AsSpan().Fill(float.NaN);
            var got = new int[indices.Length];
            data.PackBatch(indices, lanes, norm, packed, got);
            var floats = new float[indices.Length * size];
            for (int s = 0; s < indices.Length; s++)
                for (int e = 0; e < size; e++)
                    floats[s * size + e] = norm.Apply(data.Pixels(indices[s])[e]);
            var expected = new float[length];
            LaneLayout.Pack(floats, indices.Length, size, lanes, expected);
            Assert.Equal(expected, packed);
            for (int s = 0; s < indices.Length; s++) Assert.Equal(indices[s] % 10, got[s]);
        }
    }

    [Fact]
    public void StandardizeAppliesMeanAndStd()
    {
        var norm = PixelNormalization.Standardize(0.5f, 0.25f);
        Assert.Equal((0f / 255f - 0.5f) / 0.25f, norm.Apply(0));
        Assert.Equal((200f / 255f - 0.5f) / 0.25f, norm.Apply(200));
        Assert.Equal(1f, PixelNormalization.Scale01.Apply(255));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelNormalization.Standardize(0.1f, 0f));
    }

    [Fact]
    public void PackBatchDoesNotAllocate()
    {
        var data = Make(64, 1, 28, 28, 10);
        int[] indices = Shuffling.Permutation(64, 5);
        var packed = new float[LaneLayout.Length(64, data.SampleSize, 16)];
        var labels = new int[64];
        data.PackBatch(indices, 16, PixelNormalization.Mnist, packed, labels); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        data.PackBatch(indices, 16, PixelNormalization.Mnist, packed, labels);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ShuffleIsSeededFisherYates()
    {
        int[] a = Shuffling.Permutation(100, 42);
        int[] b = Shuffling.Permutation(100, 42);
        int[] c = Shuffling.Permutation(100, 43);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        int[] sorted = (int[])a.Clone();
        Array.Sort(sorted);
        for (int i = 0; i < 100; i++) Assert.Equal(i, sorted[i]);

        // Fisher-Yates by hand: i from n-1 down to 1, swap with j = rng.NextInt(i + 1).
        var rng = new Rng(7);
        int[] manual = [0, 1, 2, 3, 4];
        for (int i = 4; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (manual[i], manual[j]) = (manual[j], manual[i]);
        }
        Assert.Equal(manual, Shuffling.Permutation(5, 7));
    }

    [Fact]
    public void SliceTakeSplitAndSubset()
    {
        var data = Make(10, 1, 2, 2, 3);
        var slice = data.Slice(4, 3);
        Assert.Equal(3, slice.Count);
        Assert.Equal(data.Pixels(5).ToArray(), slice.Pixels(1).ToArray());
        Assert.Equal(data.Label(6), slice.Label(2));
        Assert.Equal(new byte[] { 1, 2, 0 }, slice.Labels.ToArray());

        var (first, rest) = data.Split(7);
        Assert.Equal((7, 3), (first.Count, rest.Count));
        Assert.Equal(data.Pixels(7).ToArray(), rest.Pixels(0).ToArray());
        Assert.Equal(4, data.Take(4).Count);
        Assert.Equal(10, data.Take(99).Count);

        var subset = data.Subset([9, 0, 9]);
        Assert.Equal(data.Pixels(9).ToArray(), subset.Pixels(2).ToArray());
        Assert.Equal(data.Label(0), subset.Label(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => slice.Pixels(3));
    }

    [Fact]
    public void LabelsAreValidatedAgainstTheClassCount()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset(new byte[8], [0, 5], 1, 2, 2, classCount: 5, name: "toy"));
        Assert.Contains("'toy'", e.Message);
        Assert.Contains("label of sample 1 is 5, outside the 5 classes 0..4", e.Message);
        Assert.Throws<ArgumentException>(() => new ImageDataset(new byte[7], [0, 1], 1, 2, 2, classCount: 5));
    }

    [Fact]
    public void MeanAndStdOfPixels()
    {
        var data = new ImageDataset([0, 255, 0, 255], [0, 0], 1, 1, 2, 1);
        var (mean, std) = data.ComputeMeanStd();
        Assert.Equal(0.5, mean, 12);
        Assert.Equal(0.5, std, 12);
    }
}

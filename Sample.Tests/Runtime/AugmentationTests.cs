using System;
using System.IO;
using System.Linq;
using System.Threading;
using CnnGen.Data;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>
/// Augmentation: each operation pinned on a small image (exact bytes), the random draws reproducible from the seed,
/// packing with augmentation equal at every lane width and in every batch, and training with it deterministic,
/// equal on 1 and 2 threads in what each sample is shown, and resumable exactly.
/// </summary>
public sealed class AugmentationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnngen-augment-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A 3x3 image 10 * (3y + x): 0 10 20 / 30 40 50 / 60 70 80 (linear, so bilinear sampling of it is exact).</summary>
    private static readonly byte[] Ramp3 = [0, 10, 20, 30, 40, 50, 60, 70, 80];

    /// <summary>A 4x5 image (4 rows, 5 columns) 1..20.</summary>
    private static readonly byte[] Grid = [.. Enumerable.Range(1, 20).Select(v => (byte)v)];

    private static Augmentation.Transform Shift(int dx, int dy, bool flip = false) => new(dx, dy, false, 0, 1, 0, flip, 0, 0, 0, 0);
    private static Augmentation.Transform Warp(double angle = 0, double scale = 1, double shear = 0, int dx = 0, int dy = 0) =>
        new(dx, dy, true, angle, scale, shear, false, 0, 0, 0, 0);

    private static byte[] Apply(Augmentation augmentation, byte[] image, int height, int width, Augmentation.Transform t, int channels = 1)
    {
        var output = new byte[image.Length];
        augmentation.Apply(image, output, channels, height, width, t);
        return output;
    }

    [Fact]
    public void TranslationShiftsAndFillsWithZero()
    {
        // right by 1, up by 1: output[y, x] = input[y + 1, x - 1]
        byte[] expected =
        [
            0, 6, 7, 8, 9,
            0, 11, 12, 13, 14,
            0, 16, 17, 18, 19,
            0, 0, 0, 0, 0,
        ];
        Assert.Equal(expected, Apply(new Augmentation { MaxTranslation = 1 }, Grid, 4, 5, Shift(1, -1)));
        // shifted out entirely: all fill
        Assert.Equal(new byte[20], Apply(new Augmentation(), Grid, 4, 5, Shift(5, 0)));
        Assert.Equal(Enumerable.Repeat((byte)7, 20), Apply(new Augmentation { Fill = 7 }, Grid, 4, 5, Shift(0, -4)));
    }

    [Fact]
    public void CropAfterPaddingWithEdgeAndReflectPadding()
    {
        // content moved left by 2 and down by 1
        byte[] edge =
        [
            3, 4, 5, 5, 5,
            3, 4, 5, 5, 5,
            8, 9, 10, 10, 10,
            13, 14, 15, 15, 15,
        ];
        Assert.Equal(edge, Apply(new Augmentation { CropPadding = 2, CropMode = CropPaddingMode.Edge }, Grid, 4, 5, Shift(-2, 1)));
        byte[] reflect =
        [
            8, 9, 10, 9, 8,
            3, 4, 5, 4, 3,
            8, 9, 10, 9, 8,
            13, 14, 15, 14, 13,
        ];
        Assert.Equal(reflect, Apply(new Augmentation { CropPadding = 2, CropMode = CropPaddingMode.Reflect }, Grid, 4, 5, Shift(-2, 1)));
    }

    [Fact]
    public void HorizontalFlipMirrorsEveryRowAndChannel()
    {
        byte[] twoChannels = [.. Grid, .. Grid.Select(v => (byte)(100 + v))];
        byte[] output = Apply(new Augmentation { HorizontalFlip = true }, twoChannels, 4, 5, Shift(0, 0, flip: true), channels: 2);
        Assert.Equal(new byte[] { 5, 4, 3, 2, 1 }, output[..5]);
        Assert.Equal(new byte[] { 120, 119, 118, 117, 116 }, output[35..40]);
        // flip after the shift: shift right by 1, then mirror
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }.Reverse(), Apply(new Augmentation(), Grid, 4, 5, Shift(1, 0, flip: true))[..5]);
    }

    [Fact]
    public void RotationByNinetyDegreesPermutesPixels()
    {
        // counter-clockwise on screen is clockwise in (x right, y down) coordinates: output(x, y) = input(y, 2 - x)
        byte[] expected = [60, 30, 0, 70, 40, 10, 80, 50, 20];
        Assert.Equal(expected, Apply(new Augmentation { RotationDegrees = 90 }, Ramp3, 3, 3, Warp(angle: 90)));
        // and 0 degrees with the warp path is the identity
        Assert.Equal(Ramp3, Apply(new Augmentation { RotationDegrees = 5 }, Ramp3, 3, 3, Warp()));
    }

    [Fact]
    public void ScaleSamplesBilinearly()
    {
        // scale 2 about the centre: output (x, y) samples input (0.5 + x / 2, 0.5 + y / 2) = 20 + 5x + 15y
        byte[] expected = [20, 25, 30, 35, 40, 45, 50, 55, 60];
        Assert.Equal(expected, Apply(new Augmentation { MinScale = 2, MaxScale = 2 }, Ramp3, 3, 3, Warp(scale: 2)));
        // a half-pixel shift of the warp: the average of neighbours (5 = (0 + 10) / 2, rounded half up)
        var shifted = Apply(new Augmentation { MinScale = 0.5, MaxScale = 1 }, Ramp3, 3, 3, Warp(scale: 0.5));
        // scale 0.5: output (x, y) samples input (2x - 1, 2y - 1); only the centre is inside
        Assert.Equal(new byte[] { 0, 0, 0, 0, 40, 0, 0, 0, 0 }, shifted);
    }

    [Fact]
    public void ShearMovesRowsByTheirDistanceFromTheCentre()
    {
        // 45 degrees along x: output (x, y) samples input (x - (y - 1), y); out of the image: fill
        byte[] expected = [10, 20, 0, 30, 40, 50, 0, 60, 70];
        Assert.Equal(expected, Apply(new Augmentation { ShearDegrees = 45 }, Ramp3, 3, 3, Warp(shear: 45)));
    }

    /// <summary>
    /// The warp on 28-wide images (eight columns at a time with AVX2, one at a time without: CI runs this test both
    /// ways) against bilinear sampling in double precision: within one grey level everywhere (the warp's weights are
    /// 1/256 steps), 0.1 on average; and a checksum of every output byte pinned, so both ways give the same bytes.
    /// </summary>
    // the bytes of this test's 200 warps, pinned when the AVX2 path was added (equal with DOTNET_EnableAVX2=0)
    private const long PinnedWarpChecksum = 277523019767046545;

    [Fact]
    public void WarpAgreesWithADoublePrecisionReference()
    {
        var augmentation = new Augmentation { RotationDegrees = 30, MinScale = 0.7, MaxScale = 1.4, ShearDegrees = 20, MaxTranslation = 3, HorizontalFlip = true, Fill = 3 };
        var data = SyntheticData.Make(50, 3, 28, 28, seed: 21, "warp");
        int exact = 0, total = 0, worst = 0;
        long differences = 0, checksum = 0;
        var output = new byte[784];
        for (int n = 0; n < 200; n++)
        {
            var rng = new Rng((ulong)n);
            var t = augmentation.Draw(ref rng, 28, 28) with { EraseWidth = 0, EraseHeight = 0 };
            byte[] image = data.Pixels(n % 50).ToArray();
            augmentation.Apply(image, output, 1, 28, 28, t);
            double theta = t.AngleDegrees * Math.PI / 180, k = Math.Tan(t.ShearDegrees * Math.PI / 180), s = t.Scale;
            double a = s * Math.Cos(theta), b = s * (Math.Cos(theta) * k - Math.Sin(theta)), c = s * Math.Sin(theta), d = s * (Math.Sin(theta) * k + Math.Cos(theta));
            double det = a * d - b * c;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double ox = x - 13.5 - t.Dx, oy = y - 13.5 - t.Dy;
                    double sx = (d * ox - b * oy) / det + 13.5, sy = (-c * ox + a * oy) / det + 13.5;
                    int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                    double fx = sx - x0, fy = sy - y0;
                    double At(int xx, int yy) => xx is >= 0 and < 28 && yy is >= 0 and < 28 ? image[yy * 28 + xx] : 3;
                    double v = (At(x0, y0) * (1 - fx) + At(x0 + 1, y0) * fx) * (1 - fy) + (At(x0, y0 + 1) * (1 - fx) + At(x0 + 1, y0 + 1) * fx) * fy;
                    int expected = (int)Math.Floor(v + 0.5);
                    int actual = output[y * 28 + (t.Flip ? 27 - x : x)];
                    worst = Math.Max(worst, Math.Abs(actual - expected));
                    differences += Math.Abs(actual - expected);
                    checksum = checksum * 31 + actual;
                    if (actual == expected) exact++;
                    total++;
                }
        }
        Assert.True(worst <= 1, $"largest difference from the reference: {worst} grey levels");
        double mean = (double)differences / total;
        Assert.True(mean < 0.1, $"mean difference from the reference {mean:F3} ({exact} of {total} pixels equal)");
        Assert.Equal(PinnedWarpChecksum, checksum);
    }

    [Fact]
    public void ErasingFillsTheDrawnRectangle()
    {
        var t = Shift(0, 0) with { EraseX = 1, EraseY = 2, EraseWidth = 3, EraseHeight = 2 };
        byte[] expected =
        [
            1, 2, 3, 4, 5,
            6, 7, 8, 9, 10,
            11, 0, 0, 0, 15,
            16, 0, 0, 0, 20,
        ];
        Assert.Equal(expected, Apply(new Augmentation { EraseProbability = 1 }, Grid, 4, 5, t));
    }

    [Fact]
    public void DrawsAreReproducibleAndCoverTheirRanges()
    {
        var augmentation = new Augmentation
        {
            MaxTranslation = 2, RotationDegrees = 10, MinScale = 0.9, MaxScale = 1.1, ShearDegrees = 5, HorizontalFlip = true,
            EraseProbability = 0.5,
        }.Validate();
        var shifts = new int[5];
        int flips = 0, erased = 0;
        for (ulong seed = 0; seed < 2000; seed++)
        {
            var a = new Rng(seed);
            var b = new Rng(seed);
            var t = augmentation.Draw(ref a, 28, 28);
            Assert.Equal(t, augmentation.Draw(ref b, 28, 28));
            Assert.InRange(t.Dx, -2, 2);
            Assert.InRange(t.AngleDegrees, -10, 10);
            Assert.InRange(t.Scale, 0.9, 1.1);
            Assert.InRange(t.ShearDegrees, -5, 5);
            Assert.True(t.EraseWidth == 0 || (t.EraseX + t.EraseWidth <= 28 && t.EraseY + t.EraseHeight <= 28));
            shifts[t.Dx + 2]++;
            if (t.Flip) flips++;
            if (t.EraseWidth > 0) erased++;
        }
        Assert.All(shifts, n => Assert.InRange(n, 300, 500)); // 400 expected each
        Assert.InRange(flips, 900, 1100);
        Assert.InRange(erased, 900, 1100);

        // the public Apply is a function of the seed
        var image = SyntheticData.Make(1, 2, 28, 28, seed: 5, "one").Pixels(0).ToArray();
        byte[] first = new byte[784], again = new byte[784], other = new byte[784];
        augmentation.Apply(image, first, 1, 28, 28, seed: 77);
        augmentation.Apply(image, again, 1, 28, 28, seed: 77);
        augmentation.Apply(image, other, 1, 28, 28, seed: 78);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void BadSettingsAreRefusedWithTheirName()
    {
        Assert.Contains("MaxTranslation", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { MaxTranslation = -1 }.Validate()).Message);
        Assert.Contains("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { MinScale = 1.2, MaxScale = 1.1 }.Validate()).Message);
        Assert.Contains("EraseProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { EraseProbability = 2 }.Validate()).Message);
        Assert.Contains("RotationDegrees", Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { RotationDegrees = double.NaN }.Validate()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(new LinearNet(1, 6, 6, 4), new Sgd(0.1f),
            new TrainerOptions { Augmentation = new Augmentation { ShearDegrees = 90 } }));
        Assert.Throws<ArgumentException>(() => new Augmentation().Apply(new byte[10], new byte[9], 1, 2, 5, 0));
    }

    [Fact]
    public void SpecsParseAndRoundTrip()
    {
        var a = Augmentation.Parse("translate=2, crop=3:reflect, flip, rotate=12.5, scale=0.9-1.1, shear=5, erase=0.5:0.05-0.1, fill=9");
        Assert.Equal(new Augmentation
        {
            MaxTranslation = 2, CropPadding = 3, CropMode = CropPaddingMode.Reflect, HorizontalFlip = true, RotationDegrees = 12.5,
            MinScale = 0.9, MaxScale = 1.1, ShearDegrees = 5, EraseProbability = 0.5, EraseMinArea = 0.05, EraseMaxArea = 0.1, Fill = 9,
        }, a);
        Assert.Equal(a, Augmentation.Parse(a.ToSpec()));
        Assert.Equal("translate=2,crop=3:reflect,flip,rotate=12.5,scale=0.9-1.1,shear=5,erase=0.5:0.05-0.1,fill=9", a.ToSpec());
        Assert.Equal(new Augmentation { MinScale = 1.2, MaxScale = 1.2 }, Augmentation.Parse("scale=1.2"));
        Assert.True(Augmentation.Parse("none").IsIdentity);
        Assert.Equal("none", Augmentation.None.ToSpec());

        Assert.Contains("unknown operation 'spin'", Assert.Throws<FormatException>(() => Augmentation.Parse("spin=3")).Message);
        Assert.Contains("'translate' needs a value", Assert.Throws<FormatException>(() => Augmentation.Parse("translate")).Message);
        Assert.Contains("'x' is not a whole number", Assert.Throws<FormatException>(() => Augmentation.Parse("translate=x")).Message);
        Assert.Contains("padding mode 'wrap'", Assert.Throws<FormatException>(() => Augmentation.Parse("crop=2:wrap")).Message);
        Assert.Contains("scale must satisfy", Assert.Throws<FormatException>(() => Augmentation.Parse("scale=1.1-0.9")).Message);
        Assert.Contains("flip takes no value", Assert.Throws<FormatException>(() => Augmentation.Parse("flip=1")).Message);
        Assert.Contains("empty part", Assert.Throws<FormatException>(() => Augmentation.Parse("flip,,rotate=3")).Message);
    }

    private static readonly Augmentation Everything = new()
    {
        MaxTranslation = 1, RotationDegrees = 15, MinScale = 0.9, MaxScale = 1.1, ShearDegrees = 5, EraseProbability = 0.5,
    };

    /// <summary>Where element <paramref name="e"/> of sample <paramref name="s"/> sits in the lanes layout.</summary>
    private static int At(int s, int e, int size, int lanes) => (s / lanes * size + e) * lanes + s % lanes;

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(16)]
    public void PackingAugmentsEachSampleFromItsIndexAtEveryLaneWidth(int lanes)
    {
        var data = SyntheticData.Make(40, 4, 12, 12, seed: 9, "data");
        int size = data.SampleSize;
        int[] indices = [.. Enumerable.Range(0, 40).Select(i => (i * 7) % 40)];
        var packed = new float[LaneLayout.Length(40, size, lanes)];
        var labels = new int[40];
        var scratch = new byte[lanes * size];
        data.PackBatch(indices, lanes, PixelNormalization.Mnist, packed, labels, Everything, augmentationSeed: 123, scratch);

        // the reference: augment sample i with Rng.Derive(123, i) by hand, then normalize
        var expected = new byte[size];
        for (int s = 0; s < 40; s++)
        {
            Everything.Apply(data.Pixels(indices[s]), expected, 1, 12, 12, Rng.Derive(123, (ulong)indices[s]));
            Assert.Equal(data.Label(indices[s]), labels[s]);
            for (int e = 0; e < size; e++)
                Assert.Equal(PixelNormalization.Mnist.Apply(expected[e]), packed[At(s, e, size, lanes)]);
        }

        // the same sample in another batch, at another position, gets the same image
        var alone = new float[LaneLayout.Length(1, size, lanes)];
        data.PackBatch([indices[13]], lanes, PixelNormalization.Mnist, alone, labels, Everything, 123, scratch);
        for (int e = 0; e < size; e++)
            Assert.Equal(packed[At(13, e, size, lanes)], alone[At(0, e, size, lanes)]);

        // the identity augmentation packs exactly what plain packing does
        var plain = new float[packed.Length];
        var identity = new float[packed.Length];
        data.PackBatch(indices, lanes, PixelNormalization.Mnist, plain, labels);
        data.PackBatch(indices, lanes, PixelNormalization.Mnist, identity, labels, Augmentation.None, 123, []);
        Assert.Equal(plain, identity);
        Assert.NotEqual(plain, packed);
        Assert.Throws<ArgumentException>(() => data.PackBatch(indices, lanes, PixelNormalization.Mnist, packed, labels, Everything, 1, new byte[size - 1]));
    }

    private static readonly ImageDataset Train = SyntheticData.Make(300, 4, 6, 6, seed: 11, "train");
    private static readonly ImageDataset Test = SyntheticData.Make(100, 4, 6, 6, seed: 12, "test");

    private static float[] Fit(TrainerOptions options, LinearNet? net = null)
    {
        net ??= new LinearNet(1, 6, 6, 4);
        net.InitializeParameters(3);
        using var trainer = new Trainer(net, new Sgd(0.2f, 0.9f), options);
        trainer.Fit(Train, Test);
        return net.Parameters.ToArray();
    }

    [Fact]
    public void TrainingWithAugmentationIsDeterministicAndTheSameOnOneAndTwoThreads()
    {
        var augmentation = Everything with { CropPadding = 1, CropMode = CropPaddingMode.Reflect };
        TrainerOptions Options(int threads = 1, ulong seed = 4, Augmentation? with = null) =>
            new() { Epochs = 2, BatchSize = 32, Seed = seed, Lanes = 8, Threads = threads, Augmentation = with };
        float[] a = Fit(Options(with: augmentation)), b = Fit(Options(with: augmentation));
        Assert.Equal(a, b);
        Assert.NotEqual(Fit(Options()), a);
        // without dropout the thread count changes only the order of the gradient sum, so the images were the same
        float[] two = Fit(Options(threads: 2, with: augmentation));
        double maxDiff = a.Zip(two, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff < 1e-4, $"maxdiff 1 vs 2 threads with augmentation: {maxDiff}");
        // and another seed shows other images (and another order)
        double seedDiff = a.Zip(Fit(Options(seed: 5, with: augmentation)), (x, y) => Math.Abs(x - y)).Max();
        Assert.True(seedDiff > 1e-3, $"another seed changed the weights by only {seedDiff}");
    }

    [Fact]
    public void ResumeWithAugmentationEqualsTheUninterruptedRun()
    {
        string checkpoint = Path.Combine(_dir, "augmented.ckpt");
        var options = new TrainerOptions
        {
            Epochs = 4, BatchSize = 40, Seed = 21, Threads = 2, Augmentation = Everything, CheckpointPath = checkpoint,
        };
        float[] uninterrupted = Fit(options);
        using (var cancel = new CancellationTokenSource())
        {
            var net = new LinearNet(1, 6, 6, 4);
            net.InitializeParameters(3);
            using var trainer = new Trainer(net, new Sgd(0.2f, 0.9f), options);
            trainer.EpochCompleted += r => { if (r.Epoch == 2) cancel.Cancel(); };
            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Train, Test, cancel.Token));
        }
        var resumedNet = new LinearNet(1, 6, 6, 4);
        resumedNet.InitializeParameters(999);
        using var resumed = new Trainer(resumedNet, new Sgd(0.2f, 0.9f), options);
        resumed.LoadCheckpoint(checkpoint);
        resumed.Fit(Train, Test);
        Assert.Equal(uninterrupted, resumedNet.Parameters.ToArray());
    }
}

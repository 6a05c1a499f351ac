using System;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace CnnGen.Data;

/// <summary>
/// Random changes to training images, applied to the pixel bytes while a batch is packed into the lanes layout
/// (no second copy of the data set): translation, crop after padding, horizontal flip, a small affine warp
/// (rotation, scale, shear) with bilinear sampling, and random erasing (cutout). Network-agnostic; any channel
/// count and image size.
/// </summary>
/// <remarks>
/// <para>Order: the affine warp (rotation, scale, shear, and the translation and crop offsets folded in as its
/// shift) or, without a warp, an integer shift; then the horizontal flip; then erasing. Pixels that come from
/// outside the image are <see cref="Fill"/> (0, black: MNIST's background) except for a crop with
/// <see cref="CropPaddingMode.Edge"/> or <see cref="CropPaddingMode.Reflect"/> without a warp.</para>
/// <para>Deterministic: what a sample gets depends only on the seed passed to <see cref="Apply(ReadOnlySpan{byte}, Span{byte}, int, int, int, ulong)"/>. The
/// <see cref="Training.Trainer"/> derives it from (run seed, epoch, the sample's index in the training set), so
/// the same run gives the same images whatever the thread count, and a resumed run continues exactly.</para>
/// </remarks>
public sealed record Augmentation
{
    /// <summary>Shift by a whole number of pixels drawn uniformly from [-k, k] on each axis (0: off).</summary>
    public int MaxTranslation { get; init; }

    /// <summary>Pad by this many pixels on every side, then crop a random window of the original size (0: off).</summary>
    public int CropPadding { get; init; }

    /// <summary>How the crop's padding is filled (only without an affine warp; a warp always fills with <see cref="Fill"/>).</summary>
    public CropPaddingMode CropMode { get; init; } = CropPaddingMode.Zero;

    /// <summary>Mirror left-right with probability 1/2 (off by default: digits are not symmetric).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Rotate by an angle drawn uniformly from [-r, r] degrees about the image centre (0: off).</summary>
    public double RotationDegrees { get; init; }

    /// <summary>Scale by a factor drawn uniformly from [<see cref="MinScale"/>, <see cref="MaxScale"/>] (1, 1: off).</summary>
    public double MinScale { get; init; } = 1;

    /// <inheritdoc cref="MinScale"/>
    public double MaxScale { get; init; } = 1;

    /// <summary>Shear along x by an angle drawn uniformly from [-s, s] degrees (0: off).</summary>
    public double ShearDegrees { get; init; }

    /// <summary>Probability of erasing one random rectangle (random erasing / cutout; 0: off).</summary>
    public double EraseProbability { get; init; }

    /// <summary>Area of the erased rectangle as a fraction of the image, drawn from [min, max] (a fixed fraction: cutout).</summary>
    public double EraseMinArea { get; init; } = 0.02;

    /// <inheritdoc cref="EraseMinArea"/>
    public double EraseMaxArea { get; init; } = 0.2;

    /// <summary>Aspect ratio (height / width) of the erased rectangle, drawn log-uniformly from [1/r, r].</summary>
    public double EraseMaxAspect { get; init; } = 3;

    /// <summary>The byte value of pixels from outside the image and of erased pixels.</summary>
    public byte Fill { get; init; }

    /// <summary>No change at all.</summary>
    public static Augmentation None { get; } = new();

    /// <summary>True when <see cref="Apply(ReadOnlySpan{byte}, Span{byte}, int, int, int, ulong)"/> would only copy the image.</summary>
    public bool IsIdentity => MaxTranslation == 0 && CropPadding == 0 && !HorizontalFlip && !HasWarp && EraseProbability == 0;

    internal bool HasWarp => RotationDegrees != 0 || MinScale != 1 || MaxScale != 1 || ShearDegrees != 0;

    /// <summary>Throws a clear error for a setting out of range; returns this.</summary>
    public Augmentation Validate()
    {
        static void Check(bool ok, string what)
        {
            if (!ok) throw new ArgumentOutOfRangeException(null, $"Augmentation: {what}.");
        }
        Check(MaxTranslation is >= 0 and <= 1024, $"MaxTranslation must be 0..1024 pixels, not {MaxTranslation}");
        Check(CropPadding is >= 0 and <= 1024, $"CropPadding must be 0..1024 pixels, not {CropPadding}");
        Check(Enum.IsDefined(CropMode), $"CropMode {(int)CropMode} is not defined");
        Check(double.IsFinite(RotationDegrees) && RotationDegrees is >= 0 and <= 180, $"RotationDegrees must be 0..180, not {Format(RotationDegrees)}");
        Check(double.IsFinite(ShearDegrees) && ShearDegrees is >= 0 and < 90, $"ShearDegrees must be 0..89, not {Format(ShearDegrees)}");
        Check(double.IsFinite(MinScale) && double.IsFinite(MaxScale) && MinScale > 0 && MinScale <= MaxScale && MaxScale <= 16,
              $"scale must satisfy 0 < MinScale <= MaxScale <= 16, not {Format(MinScale)}..{Format(MaxScale)}");
        Check(EraseProbability is >= 0 and <= 1, $"EraseProbability must be 0..1, not {Format(EraseProbability)}");
        Check(EraseMinArea > 0 && EraseMinArea <= EraseMaxArea && EraseMaxArea <= 1,
              $"erase area must satisfy 0 < EraseMinArea <= EraseMaxArea <= 1, not {Format(EraseMinArea)}..{Format(EraseMaxArea)}");
        Check(double.IsFinite(EraseMaxAspect) && EraseMaxAspect >= 1, $"EraseMaxAspect must be at least 1, not {Format(EraseMaxAspect)}");
        return this;
    }

    /// <summary>
    /// Writes the augmented form of <paramref name="image"/> (channels x height x width bytes) to
    /// <paramref name="output"/> (the same size), drawing every random choice from <paramref name="seed"/>.
    /// </summary>
    public void Apply(ReadOnlySpan<byte> image, Span<byte> output, int channels, int height, int width, ulong seed)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Image shape {channels}x{height}x{width} must be positive.");
        int size = channels * height * width;
        if (image.Length != size || output.Length != size)
            throw new ArgumentException($"Image and output must hold {channels}x{height}x{width} = {size} bytes, not {image.Length} and {output.Length}.");
        var rng = new Rng(seed);
        Apply(image, output, channels, height, width, Draw(ref rng, height, width));
    }

    /// <summary>One draw of every random choice: what <see cref="Apply(ReadOnlySpan{byte}, Span{byte}, int, int, int, in Transform)"/> does to one image.</summary>
    internal Transform Draw(ref Rng rng, int height, int width)
    {
        int dx = 0, dy = 0;
        if (MaxTranslation > 0)
        {
            dx += rng.NextInt(2 * MaxTranslation + 1) - MaxTranslation;
            dy += rng.NextInt(2 * MaxTranslation + 1) - MaxTranslation;
        }
        if (CropPadding > 0)
        {
            // a crop at offset (ox, oy) of the padded image moves the content by (p - ox, p - oy)
            dx += CropPadding - rng.NextInt(2 * CropPadding + 1);
            dy += CropPadding - rng.NextInt(2 * CropPadding + 1);
        }
        double angle = RotationDegrees > 0 ? Uniform(ref rng, -RotationDegrees, RotationDegrees) : 0;
        double scale = MinScale != MaxScale ? Uniform(ref rng, MinScale, MaxScale) : MinScale;
        double shear = ShearDegrees > 0 ? Uniform(ref rng, -ShearDegrees, ShearDegrees) : 0;
        bool flip = HorizontalFlip && (rng.NextUInt64() >> 63) == 1;
        int ex = 0, ey = 0, ew = 0, eh = 0;
        if (EraseProbability > 0 && rng.NextDouble() < EraseProbability)
        {
            double area = Uniform(ref rng, EraseMinArea, EraseMaxArea) * height * width;
            double aspect = Math.Exp(Uniform(ref rng, -Math.Log(EraseMaxAspect), Math.Log(EraseMaxAspect)));
            eh = Math.Clamp((int)Math.Round(Math.Sqrt(area * aspect)), 1, height);
            ew = Math.Clamp((int)Math.Round(Math.Sqrt(area / aspect)), 1, width);
            ey = rng.NextInt(height - eh + 1);
            ex = rng.NextInt(width - ew + 1);
        }
        return new Transform(dx, dy, HasWarp, angle, scale, shear, flip, ex, ey, ew, eh);
    }

    /// <summary>Applies one drawn <paramref name="t"/>: warp or shift, flip, erase.</summary>
    internal void Apply(ReadOnlySpan<byte> image, Span<byte> output, int channels, int height, int width, in Transform t)
    {
        int plane = height * width;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<byte> source = image.Slice(c * plane, plane);
            Span<byte> target = output.Slice(c * plane, plane);
            if (t.Warp) Warp(source, target, height, width, t);
            else Shift(source, target, height, width, t.Dx, t.Dy, t.Flip, CropMode, Fill);
            for (int y = t.EraseY; y < t.EraseY + t.EraseHeight; y++)
                target.Slice(y * width + t.EraseX, t.EraseWidth).Fill(Fill);
        }
    }

    /// <summary>output[y, x] = source[y - dy, x - dx] (mirrored in x after the shift when flipping), outside filled per mode.</summary>
    private static void Shift(ReadOnlySpan<byte> source, Span<byte> output, int height, int width, int dx, int dy, bool flip,
                              CropPaddingMode mode, byte fill)
    {
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = output.Slice(y * width, width);
            int sy = Resolve(y - dy, height, mode);
            if (sy < 0)
            {
                row.Fill(fill);
                continue;
            }
            ReadOnlySpan<byte> from = source.Slice(sy * width, width);
            if (mode == CropPaddingMode.Zero && !flip)
            {
                // the common case: one block copy and the uncovered columns filled
                int start = Math.Clamp(dx, 0, width), end = Math.Clamp(width + dx, 0, width);
                row.Slice(0, start).Fill(fill);
                if (end > start) from.Slice(start - dx, end - start).CopyTo(row.Slice(start));
                row.Slice(Math.Max(end, start)).Fill(fill);
                continue;
            }
            for (int x = 0; x < width; x++)
            {
                int sx = Resolve(x - dx, width, mode);
                row[flip ? width - 1 - x : x] = sx < 0 ? fill : from[sx];
            }
        }
    }

    /// <summary>The source index for <paramref name="i"/> under the padding mode; -1 for a fill pixel.</summary>
    private static int Resolve(int i, int n, CropPaddingMode mode)
    {
        if ((uint)i < (uint)n) return i;
        switch (mode)
        {
            case CropPaddingMode.Edge:
                return Math.Clamp(i, 0, n - 1);
            case CropPaddingMode.Reflect:
                if (n == 1) return 0;
                // reflect without repeating the edge: -1 -> 1, n -> n - 2 (period 2n - 2)
                int period = 2 * n - 2;
                int r = ((i % period) + period) % period;
                return r < n ? r : period - r;
            default:
                return -1;
        }
    }

    /// <summary>
    /// Affine warp with bilinear sampling: each output pixel is mapped back into the source through the inverse of
    /// (rotate . shear . scale) about the centre, shifted by (dx, dy); neighbours outside the image count as fill.
    /// Positions are kept in 16.16 fixed point and the weights in 1/256 steps.
    /// </summary>
    private void Warp(ReadOnlySpan<byte> source, Span<byte> output, int height, int width, in Transform t)
    {
        // forward A = R(angle) * Shear(shear) * S(scale): A = [[a, b], [c, d]]
        double theta = t.AngleDegrees * Math.PI / 180, k = Math.Tan(t.ShearDegrees * Math.PI / 180), s = t.Scale;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        double a = s * cos, b = s * (cos * k - sin), c = s * sin, d = s * (sin * k + cos);
        double det = a * d - b * c;
        // inverse: source - centre = A^-1 (output - centre - shift)
        double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        // The source with a border of 2 fill pixels on every side: a neighbour outside the image reads the fill, and a
        // position further out is clamped into the border, so the loops need no bounds checks and no branches.
        int pw = width + 4, ph = height + 4;
        int[] padded = System.Buffers.ArrayPool<int>.Shared.Rent(pw * ph);
        try
        {
            padded.AsSpan(0, pw * ph).Fill(Fill);
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> from = source.Slice(y * width, width);
                Span<int> to = padded.AsSpan((y + 2) * pw + 2, width);
                for (int x = 0; x < from.Length; x++) to[x] = from[x];
            }
            // Source positions in 16.16 fixed point, exact integer steps along a row; the bilinear weights are the top
            // 8 bits of the fraction (1/256 pixel), so each output pixel costs a few integer operations.
            long stepX = (long)Math.Round(ia * One), stepY = (long)Math.Round(ic * One);
            for (int y = 0; y < height; y++)
            {
                double oy = y - cy - t.Dy;
                // seek to the source position of output (0, y); it moves by (stepX, stepY) per output column
                double ox0 = -cx - t.Dx;
                long sx0 = (long)Math.Round((ia * ox0 + ib * oy + cx) * One), sy0 = (long)Math.Round((ic * ox0 + id * oy + cy) * One);
                Span<byte> row = output.Slice(y * width, width);
                // eight columns at a time where the positions fit 32 bits; the last group overlaps the one before it
                int x = 0;
                if (Avx2.IsSupported && width >= 8 && FitsInt32(sx0, stepX, width) && FitsInt32(sy0, stepY, width))
                {
                    for (; ; x += 8)
                    {
                        int at = Math.Min(x, width - 8);
                        WarpEight(padded, pw, width, height, (int)(sx0 + at * stepX), (int)(sy0 + at * stepY), (int)stepX, (int)stepY, row.Slice(at, 8));
                        if (at == width - 8) break;
                    }
                    x = width;
                }
                for (; x < width; x++)
                {
                    long sx = sx0 + x * stepX, sy = sy0 + x * stepY;
                    // floor (also for negative positions), clamped to the border: -2 .. width reads only fill outside
                    int x0 = Math.Min(Math.Max((int)(sx >> 16), -2), width) + 2, y0 = Math.Min(Math.Max((int)(sy >> 16), -2), height) + 2;
                    int wx = (int)(sx >> 8) & 0xFF, wy = (int)(sy >> 8) & 0xFF;
                    int i = y0 * pw + x0;
                    int v00 = padded[i], v01 = padded[i + 1], v10 = padded[i + pw], v11 = padded[i + pw + 1];
                    // (v00 (1 - fx) + v01 fx) (1 - fy) + (v10 (1 - fx) + v11 fx) fy with weights out of 256, rounded
                    int top = v00 * (256 - wx) + v01 * wx, bottom = v10 * (256 - wx) + v11 * wx;
                    row[x] = (byte)((top * (256 - wy) + bottom * wy + 32768) >> 16);
                }
                if (t.Flip) row.Reverse();
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(padded);
        }
    }

    /// <summary>True when every position of the row, <paramref name="start"/> + x <paramref name="step"/>, fits comfortably in 32 bits.</summary>
    private static bool FitsInt32(long start, long step, int width) =>
        Math.Abs(start) < 1L << 30 && Math.Abs(start + (width - 1) * step) < 1L << 30;

    /// <summary>
    /// Eight output pixels of <see cref="Warp"/> with AVX2: the same fixed-point arithmetic as the scalar loop, lane by
    /// lane, the four neighbours fetched with gathers from the padded source.
    /// </summary>
    private static unsafe void WarpEight(int[] padded, int pw, int width, int height, int sx, int sy, int stepX, int stepY, Span<byte> output)
    {
        var column = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var px = Vector256.Create(sx) + column * stepX;
        var py = Vector256.Create(sy) + column * stepY;
        // floor, clamped to the border (-2 .. width, -2 .. height), moved into the padded plane
        var x0 = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(px, 16), Vector256.Create(-2)), Vector256.Create(width)) + Vector256.Create(2);
        var y0 = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(py, 16), Vector256.Create(-2)), Vector256.Create(height)) + Vector256.Create(2);
        var wx = Vector256.ShiftRightArithmetic(px, 8) & Vector256.Create(0xFF);
        var wy = Vector256.ShiftRightArithmetic(py, 8) & Vector256.Create(0xFF);
        var index = y0 * pw + x0;
        Vector256<int> v00, v01, v10, v11;
        fixed (int* p = padded)
        {
            v00 = Avx2.GatherVector256(p, index, 4);
            v01 = Avx2.GatherVector256(p + 1, index, 4);
            v10 = Avx2.GatherVector256(p + pw, index, 4);
            v11 = Avx2.GatherVector256(p + pw + 1, index, 4);
        }
        var w256 = Vector256.Create(256);
        var top = v00 * (w256 - wx) + v01 * wx;
        var bottom = v10 * (w256 - wx) + v11 * wx;
        var value = Vector256.ShiftRightArithmetic(top * (w256 - wy) + bottom * wy + Vector256.Create(32768), 16);
        // 8 ints (0..255) to 8 bytes
        var bytes = Vector256.Narrow(Vector256.Narrow(value, Vector256<int>.Zero).AsUInt16(), Vector256<ushort>.Zero);
        System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ref output[0], bytes.AsUInt64().GetElement(0));
    }

    /// <summary>1.0 in the 16.16 fixed point of <see cref="Warp"/>.</summary>
    private const double One = 65536;

    private static double Uniform(ref Rng rng, double min, double max) => min + (max - min) * rng.NextDouble();

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a comma-separated list of operations, as a command line gives it:
    /// <c>translate=K</c>, <c>crop=P</c> or <c>crop=P:edge|reflect|zero</c>, <c>flip</c>, <c>rotate=DEG</c>,
    /// <c>scale=MIN-MAX</c> (or one factor), <c>shear=DEG</c>, <c>erase=P</c> or <c>erase=P:MIN-MAX</c> (area fraction),
    /// <c>fill=V</c>; <c>none</c> for no augmentation. Every value is checked (<see cref="Validate"/>); a mistake is a
    /// <see cref="FormatException"/> naming the part.
    /// </summary>
    public static Augmentation Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new Augmentation();
        string trimmed = spec.Trim();
        if (trimmed.Length == 0 || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase)) return result;
        foreach (string raw in trimmed.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = raw.IndexOf('=');
            string key = (eq < 0 ? raw : raw[..eq]).Trim().ToLowerInvariant();
            string value = eq < 0 ? "" : raw[(eq + 1)..].Trim();
            if (key != "flip" && value.Length == 0)
                throw new FormatException($"Augmentation '{raw}': {(key.Length == 0 ? "empty part" : $"'{key}' needs a value, e.g. {key}=2")}.");
            (string Main, string? Option) Split(string v) => v.IndexOf(':') is int c and >= 0 ? (v[..c], v[(c + 1)..]) : (v, null);
            result = key switch
            {
                "translate" => result with { MaxTranslation = Int(raw, value) },
                "crop" => result with
                {
                    CropPadding = Int(raw, Split(value).Main),
                    CropMode = Split(value).Option switch
                    {
                        null or "zero" => CropPaddingMode.Zero,
                        "edge" => CropPaddingMode.Edge,
                        "reflect" => CropPaddingMode.Reflect,
                        var other => throw new FormatException($"Augmentation '{raw}': padding mode '{other}' is not zero, edge or reflect."),
                    },
                },
                "flip" => value.Length == 0 ? result with { HorizontalFlip = true }
                                            : throw new FormatException($"Augmentation '{raw}': flip takes no value."),
                "rotate" => result with { RotationDegrees = Number(raw, value) },
                "scale" => Range(raw, value) is var (lo, hi) ? result with { MinScale = lo, MaxScale = hi } : result,
                "shear" => result with { ShearDegrees = Number(raw, value) },
                "erase" => Split(value) is var (p, area)
                    ? (area is null ? result with { EraseProbability = Number(raw, p) }
                                    : Range(raw, area) is var (a0, a1) ? result with { EraseProbability = Number(raw, p), EraseMinArea = a0, EraseMaxArea = a1 } : result)
                    : result,
                "fill" => result with { Fill = Int(raw, value) is int f and >= 0 and <= 255 ? (byte)f : throw new FormatException($"Augmentation '{raw}': fill is a byte value 0..255.") },
                _ => throw new FormatException($"Augmentation '{raw}': unknown operation '{key}'; use translate, crop, flip, rotate, scale, shear, erase, fill or none."),
            };
        }
        try
        {
            return result.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"Augmentation '{spec}': {e.Message.Split(" (Parameter")[0].Replace("Augmentation: ", "")}", e);
        }
    }

    private static int Int(string part, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new FormatException($"Augmentation '{part}': '{value}' is not a whole number.");

    private static double Number(string part, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new FormatException($"Augmentation '{part}': '{value}' is not a number.");

    private static (double Min, double Max) Range(string part, string value)
    {
        int dash = value.IndexOf('-', 1);
        if (dash < 0) return (Number(part, value), Number(part, value));
        return (Number(part, value[..dash]), Number(part, value[(dash + 1)..]));
    }

    /// <summary>The form <see cref="Parse"/> reads back, e.g. <c>translate=2,rotate=10,scale=0.9-1.1</c>; <c>none</c> for the identity.</summary>
    public string ToSpec()
    {
        if (IsIdentity) return "none";
        var parts = new System.Collections.Generic.List<string>();
        if (MaxTranslation > 0) parts.Add($"translate={MaxTranslation}");
        if (CropPadding > 0) parts.Add(CropMode == CropPaddingMode.Zero ? $"crop={CropPadding}" : $"crop={CropPadding}:{CropMode.ToString().ToLowerInvariant()}");
        if (HorizontalFlip) parts.Add("flip");
        if (RotationDegrees > 0) parts.Add($"rotate={Format(RotationDegrees)}");
        if (MinScale != 1 || MaxScale != 1) parts.Add($"scale={Format(MinScale)}-{Format(MaxScale)}");
        if (ShearDegrees > 0) parts.Add($"shear={Format(ShearDegrees)}");
        if (EraseProbability > 0) parts.Add($"erase={Format(EraseProbability)}:{Format(EraseMinArea)}-{Format(EraseMaxArea)}");
        if (Fill != 0) parts.Add($"fill={Fill}");
        return string.Join(",", parts);
    }

    /// <summary>A short description, e.g. <c>translate 2, rotate 10°, scale 0.9-1.1, erase p=0.5</c>; "none" for the identity.</summary>
    public override string ToString()
    {
        if (IsIdentity) return "none";
        var text = new StringBuilder();
        void Add(string part)
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(part);
        }
        if (MaxTranslation > 0) Add($"translate {MaxTranslation}px");
        if (CropPadding > 0) Add($"crop after padding {CropPadding}px ({CropMode.ToString().ToLowerInvariant()})");
        if (RotationDegrees > 0) Add($"rotate {Format(RotationDegrees)} deg");
        if (MinScale != 1 || MaxScale != 1) Add($"scale {Format(MinScale)}-{Format(MaxScale)}");
        if (ShearDegrees > 0) Add($"shear {Format(ShearDegrees)} deg");
        if (HorizontalFlip) Add("horizontal flip");
        if (EraseProbability > 0) Add($"erase p={Format(EraseProbability)} area {Format(EraseMinArea)}-{Format(EraseMaxArea)}");
        return text.ToString();
    }

    /// <summary>Every random choice for one image.</summary>
    internal readonly record struct Transform(int Dx, int Dy, bool Warp, double AngleDegrees, double Scale, double ShearDegrees, bool Flip,
                                              int EraseX, int EraseY, int EraseWidth, int EraseHeight);
}

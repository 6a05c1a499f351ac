using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Data;

/// <summary>
/// Labelled images held in memory as bytes (one byte per pixel value, samples back to back in C,H,W order)
/// with byte labels. Slices share the pixel array; <see cref="Subset"/> copies. Batches are converted to
/// floats only when packed (<see cref="PackBatch(ReadOnlySpan{int}, int, PixelNormalization, Span{float}, Span{int})"/>), straight into the caller's buffer.
/// </summary>
public sealed class ImageDataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly int _offset; // first sample of this view in _pixels/_labels

    /// <summary>
    /// Wraps <paramref name="pixels"/> (count x channels x height x width) and <paramref name="labels"/>
    /// (count) without copying. Every label must be below <paramref name="classCount"/>.
    /// </summary>
    public ImageDataset(byte[] pixels, byte[] labels, int channels, int height, int width, int classCount, string name = "dataset")
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(name);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Dataset '{name}': sample shape {channels}x{height}x{width} must be positive.");
        if (classCount < 1 || classCount > 256)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"Dataset '{name}': byte labels allow 1..256 classes.");
        long sampleSize = (long)channels * height * width;
        if (sampleSize > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Dataset '{name}': sample shape {channels}x{height}x{width} is too large.");
        if (pixels.Length != labels.Length * sampleSize)
            throw new ArgumentException($"Dataset '{name}': {labels.Length} labels need {labels.Length * sampleSize} pixel bytes ({channels}x{height}x{width} each) but {pixels.Length} were given.", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classCount)
                throw new ArgumentException($"Dataset '{name}': label of sample {i} is {labels[i]}, outside the {classCount} classes 0..{classCount - 1}.", nameof(labels));
        _pixels = pixels;
        _labels = labels;
        _offset = 0;
        Count = labels.Length;
        Channels = channels;
        Height = height;
        Width = width;
        SampleSize = (int)sampleSize;
        ClassCount = classCount;
        Name = name;
    }

    private ImageDataset(ImageDataset source, int offset, int count, string name)
    {
        _pixels = source._pixels;
        _labels = source._labels;
        _offset = offset;
        Count = count;
        Channels = source.Channels;
        Height = source.Height;
        Width = source.Width;
        SampleSize = source.SampleSize;
        ClassCount = source.ClassCount;
        Name = name;
    }

    /// <summary>
    /// Loads an IDX image file and an IDX label file (raw or .gz). Checks that the counts agree and every
    /// label is below <paramref name="classCount"/>; errors are <see cref="IdxFormatException"/>s naming the file.
    /// The image file is 3-D (one channel) or 4-D with 1 or 3 channels, see <see cref="IdxReader.ImageShape"/>.
    /// </summary>
    public static ImageDataset FromIdx(string imagesPath, string labelsPath, int classCount) =>
        FromIdx(IdxReader.Read(imagesPath), imagesPath, IdxReader.Read(labelsPath), labelsPath, classCount);

    /// <summary>
    /// Makes a dataset of IDX arrays already read from <paramref name="imagesName"/> and <paramref name="labelsName"/>
    /// (the names are used in errors and as the dataset's name). Images are 3-D <c>count x H x W</c> (one channel), or
    /// 4-D <c>count x C x H x W</c> with C of 1 or 3; a 4-D <c>count x H x W x C</c> array (second dimension not 1 or 3,
    /// last one 1 or 3) is transposed to channel-first. The pixel array is shared, not copied, unless transposed.
    /// </summary>
    public static ImageDataset FromIdx(IdxArray images, string imagesName, IdxArray labels, string labelsName, int classCount)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var shape = IdxReader.ImageShape(images, imagesName);
        byte[] labelBytes = IdxReader.Labels(labels, labelsName);
        if (labelBytes.Length != shape.Count)
            throw new IdxFormatException(labelsName, $"holds {labelBytes.Length} labels but the image file '{imagesName}' holds {shape.Count} images.");
        if (shape.Count == 0)
            throw new IdxFormatException(imagesName, "holds no images.");
        if (classCount < 1 || classCount > 256)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "Byte labels allow 1..256 classes.");
        for (int i = 0; i < labelBytes.Length; i++)
            if (labelBytes[i] >= classCount)
                throw new IdxFormatException(labelsName, $"label of sample {i} is {labelBytes[i]}, outside the {classCount} classes 0..{classCount - 1}.");
        byte[] pixels = shape.ChannelLast ? ToChannelFirst(images.Data, shape) : images.Data;
        return new ImageDataset(pixels, labelBytes, shape.Channels, shape.Height, shape.Width, classCount, System.IO.Path.GetFileName(imagesName));
    }

    /// <summary>count x H x W x C to count x C x H x W.</summary>
    private static byte[] ToChannelFirst(byte[] source, IdxImageShape shape)
    {
        int c = shape.Channels, plane = shape.Height * shape.Width, size = c * plane;
        var result = new byte[source.Length];
        for (int n = 0; n < shape.Count; n++)
        {
            // seek to image n in both layouts
            var from = source.AsSpan(n * size, size);
            var to = result.AsSpan(n * size, size);
            for (int p = 0; p < plane; p++)
                for (int k = 0; k < c; k++)
                    to[k * plane + p] = from[p * c + k];
        }
        return result;
    }

    /// <summary>A name for messages (the image file name for IDX data).</summary>
    public string Name { get; }
    /// <summary>Number of samples.</summary>
    public int Count { get; }
    /// <summary>Channels per image.</summary>
    public int Channels { get; }
    /// <summary>Rows per image.</summary>
    public int Height { get; }
    /// <summary>Columns per image.</summary>
    public int Width { get; }
    /// <summary>Bytes per sample: channels x height x width.</summary>
    public int SampleSize { get; }
    /// <summary>Number of classes; every label is below it.</summary>
    public int ClassCount { get; }

    /// <summary>The pixel bytes of sample <paramref name="index"/> (C,H,W order).</summary>
    /// <summary>The label of sample <paramref name="index"/> of this view (unchecked: callers have checked the index).</summary>
    internal int LabelAt(int index) => _labels[_offset + index];

    /// <summary>Where sample <paramref name="index"/> of this view starts in <see cref="AllPixels"/>.</summary>
    internal int PixelStart(int index) => (_offset + index) * SampleSize;

    /// <summary>The whole pixel array this view reads from.</summary>
    internal ReadOnlySpan<byte> AllPixels => _pixels;

    public ReadOnlySpan<byte> Pixels(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Dataset '{Name}' has samples 0..{Count - 1}.");
        return new ReadOnlySpan<byte>(_pixels, (_offset + index) * SampleSize, SampleSize);
    }

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Dataset '{Name}' has samples 0..{Count - 1}.");
        return _labels[_offset + index];
    }

    /// <summary>All labels of this dataset.</summary>
    public ReadOnlySpan<byte> Labels => new(_labels, _offset, Count);

    /// <summary>Samples <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>-1, sharing the pixel array.</summary>
    public ImageDataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"Dataset '{Name}' has {Count} samples; cannot take {count} from {start}.");
        return new ImageDataset(this, _offset + start, count, $"{Name}[{start}..{start + count})");
    }

    /// <summary>The first <paramref name="count"/> samples (all of them if there are fewer).</summary>
    public ImageDataset Take(int count) => Slice(0, Math.Min(Math.Max(count, 0), Count));

    /// <summary>Splits into the first <paramref name="firstCount"/> samples and the rest.</summary>
    public (ImageDataset First, ImageDataset Remainder) Split(int firstCount) => (Slice(0, firstCount), Slice(firstCount, Count - firstCount));

    /// <summary>A copy holding the samples at <paramref name="indices"/>, in that order.</summary>
    public ImageDataset Subset(ReadOnlySpan<int> indices)
    {
        var pixels = new byte[(long)indices.Length * SampleSize];
        var labels = new byte[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Pixels(indices[i]).CopyTo(pixels.AsSpan(i * SampleSize, SampleSize));
            labels[i] = (byte)Label(indices[i]);
        }
        return new ImageDataset(pixels, labels, Channels, Height, Width, ClassCount, $"{Name} subset");
    }

    /// <summary>A copy with the samples in a seeded random order (see <see cref="Shuffling.Permutation(int, ulong)"/>).</summary>
    public ImageDataset Shuffled(ulong seed) => Subset(Shuffling.Permutation(Count, seed));

    /// <summary>Mean and standard deviation of all pixel values scaled to [0, 1] (for <see cref="PixelNormalization.Standardize"/>).</summary>
    public (double Mean, double Std) ComputeMeanStd()
    {
        Span<long> histogram = stackalloc long[256];
        histogram.Clear();
        foreach (byte b in new ReadOnlySpan<byte>(_pixels, _offset * SampleSize, Count * SampleSize)) histogram[b]++;
        double n = (double)Count * SampleSize, sum = 0, sumSquares = 0;
        for (int v = 0; v < 256; v++)
        {
            double x = v / 255.0;
            sum += histogram[v] * x;
            sumSquares += histogram[v] * x * x;
        }
        double mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, sumSquares / n - mean * mean)));
    }

    /// <summary>
    /// Packs samples <paramref name="indices"/> into <paramref name="destination"/> in the lanes layout
    /// (see <see cref="INetwork"/>), converting bytes with <paramref name="normalization"/>; padding lanes of the
    /// last group become 0. Writes their labels to <paramref name="labels"/>. Allocates nothing.
    /// </summary>
    /// <param name="indices">Sample indices into this dataset, in batch order.</param>
    /// <param name="lanes">Samples per SIMD value: 1, 4, 8 or 16 (<see cref="LaneWidths"/>).</param>
    /// <param name="normalization">The byte-to-float conversion.</param>
    /// <param name="destination">At least <see cref="LaneLayout.Length"/>(indices.Length, SampleSize, lanes) floats.</param>
    /// <param name="labels">At least indices.Length labels.</param>
    public void PackBatch(ReadOnlySpan<int> indices, int lanes, PixelNormalization normalization, Span<float> destination, Span<int> labels) =>
        PackBatch(indices, lanes, normalization, destination, labels, null, 0, []);

    /// <summary>
    /// <see cref="PackBatch(ReadOnlySpan{int}, int, PixelNormalization, Span{float}, Span{int})"/> with every sample
    /// first changed by <paramref name="augmentation"/> (when not null): sample <c>i</c> of this dataset is augmented
    /// with the seed <c>Rng.Derive(augmentationSeed, i)</c>, so what it gets does not depend on the batch it is in or
    /// on the thread that packs it. The augmented bytes of one lane group go through <paramref name="scratch"/>
    /// (at least lanes x <see cref="SampleSize"/> bytes); the data set itself is never changed.
    /// </summary>
    public void PackBatch(ReadOnlySpan<int> indices, int lanes, PixelNormalization normalization, Span<float> destination, Span<int> labels,
                          Augmentation? augmentation, ulong augmentationSeed, Span<byte> scratch)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        LaneWidths.Check(lanes, nameof(lanes));
        int count = indices.Length;
        int length = LaneLayout.Length(count, SampleSize, lanes);
        if (destination.Length < length)
            throw new ArgumentException($"Destination holds {destination.Length} floats; {count} samples of {SampleSize} at {lanes} lanes need {length}.", nameof(destination));
        if (labels.Length < count)
            throw new ArgumentException($"Labels hold {labels.Length} values; the batch has {count} samples.", nameof(labels));
        if (augmentation is { IsIdentity: true }) augmentation = null;
        if (augmentation is not null && scratch.Length < lanes * SampleSize)
            throw new ArgumentException($"Scratch holds {scratch.Length} bytes; augmenting {lanes} samples of {SampleSize} bytes needs {lanes * SampleSize}.", nameof(scratch));
        ReadOnlySpan<float> table = normalization.Table;
        (float Mean, float Std)? form = lanes > 1 && VectorPacking.Supported(lanes) ? normalization.VectorForm : null;
        int size = SampleSize;
        int groups = (count + lanes - 1) / lanes;
        Span<int> starts = stackalloc int[16];
        for (int g = 0; g < groups; g++)
        {
            int valid = Math.Min(lanes, count - g * lanes);
            // where each lane's bytes are: in the data set, or augmented into scratch
            ReadOnlySpan<byte> source = augmentation is null ? AllPixels : scratch;
            for (int l = 0; l < valid; l++)
            {
                int s = g * lanes + l, index = indices[s];
                if ((uint)index >= (uint)Count)
                    throw new ArgumentOutOfRangeException(nameof(indices), index, $"Dataset '{Name}' has samples 0..{Count - 1}.");
                labels[s] = _labels[_offset + index];
                if (augmentation is null)
                {
                    starts[l] = PixelStart(index);
                    continue;
                }
                augmentation.Apply(new ReadOnlySpan<byte>(_pixels, PixelStart(index), size), scratch.Slice(l * size, size),
                                   Channels, Height, Width, Rng.Derive(augmentationSeed, (ulong)index));
                starts[l] = l * size;
            }
            // seek to destination[g,:,:]
            Span<float> group = destination.Slice(g * size * lanes, size * lanes);
            if (form is { } f) VectorPacking.PackGroup(source, starts.Slice(0, valid), size, lanes, f, table, group);
            else PackGroup(source, starts.Slice(0, valid), size, lanes, table, group);
        }
    }

    /// <summary>One lane group, a table lookup per value: lane l from <paramref name="starts"/>[l], padding lanes 0.</summary>
    private static void PackGroup(ReadOnlySpan<byte> pixels, ReadOnlySpan<int> starts, int size, int lanes, ReadOnlySpan<float> table, Span<float> group)
    {
        for (int l = 0; l < lanes; l++)
        {
            if (l >= starts.Length)
            {
                // padding lane: zeros
                for (int e = 0; e < size; e++) group[e * lanes + l] = 0f;
                continue;
            }
            ReadOnlySpan<byte> sample = pixels.Slice(starts[l], size);
            for (int e = 0; e < size; e++)
                group[e * lanes + l] = table[sample[e]];
        }
    }
}

/// <summary>How pixel bytes become network inputs: a 256-entry lookup table.</summary>
public sealed class PixelNormalization
{
    private readonly float[] _table = new float[256];

    private PixelNormalization(string description, Func<int, float> map, (float Mean, float Std)? standardize = null)
    {
        Description = description;
        for (int v = 0; v < 256; v++) _table[v] = map(v);
        // The vector form computes (x / 255 - mean) / std per lane with the same float operations; it is used only if
        // it reproduces the table exactly for every byte, so packing gives the same floats on every path.
        if (standardize is { } f)
        {
            bool exact = true;
            for (int v = 0; v < 256 && exact; v += Vector128<float>.Count)
            {
                var x = Vector128.Create((float)v, v + 1, v + 2, v + 3);
                var y = (x / Vector128.Create(255f) - Vector128.Create(f.Mean)) / Vector128.Create(f.Std);
                for (int k = 0; k < Vector128<float>.Count; k++)
                    exact &= y.GetElement(k) == _table[v + k];
            }
            if (exact) VectorForm = f;
        }
    }

    /// <summary>(mean, std) when the table is <c>(x / 255 - mean) / std</c> computed in float, for the vectorized packer.</summary>
    internal (float Mean, float Std)? VectorForm { get; }

    /// <summary><c>x / 255</c>: values in [0, 1].</summary>
    public static PixelNormalization Scale01 { get; } = new("x/255", v => v / 255f, (0f, 1f));

    /// <summary>The usual MNIST statistics: mean 0.1307, std 0.3081.</summary>
    public static PixelNormalization Mnist { get; } = Standardize(0.1307f, 0.3081f);

    /// <summary><c>(x / 255 - mean) / std</c>.</summary>
    public static PixelNormalization Standardize(float mean, float std)
    {
        if (!(std > 0) || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(std), $"Normalization needs a finite mean and a positive finite std (got mean {mean}, std {std}).");
        return new($"(x/255-{mean})/{std}", v => (v / 255f - mean) / std, (mean, std));
    }

    /// <summary>A human-readable form, e.g. <c>x/255</c>.</summary>
    public string Description { get; }

    /// <summary>The float for each byte value.</summary>
    public ReadOnlySpan<float> Table => _table;

    /// <summary>The float for one byte value.</summary>
    public float Apply(byte value) => _table[value];

    /// <inheritdoc/>
    public override string ToString() => Description;
}

/// <summary>Seeded, reproducible shuffling (Fisher-Yates over <see cref="Rng"/>).</summary>
public static class Shuffling
{
    /// <summary>Shuffles <paramref name="values"/> in place; the same RNG state gives the same order everywhere.</summary>
    public static void Shuffle<T>(Span<T> values, ref Rng rng)
    {
        // Fisher-Yates: for i from n-1 down to 1, swap values[i] with values[j], j uniform in [0, i].
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with 0..n-1 shuffled by a fresh <see cref="Rng"/> from <paramref name="seed"/>.</summary>
    public static void Permutation(Span<int> destination, ulong seed)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = i;
        var rng = new Rng(seed);
        Shuffle(destination, ref rng);
    }

    /// <summary>A new array holding 0..<paramref name="count"/>-1 shuffled by <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        var result = new int[count];
        Permutation(result, seed);
        return result;
    }
}

/// <summary>
/// <see cref="ImageDataset.PackBatch(ReadOnlySpan{int}, int, PixelNormalization, Span{float}, Span{int})"/> for 8 and 16 lanes with SIMD: 16 pixels of each of the group's samples are
/// loaded as one vector each, the 16 x 16 bytes transposed (16 = one pixel of every sample), widened to floats and
/// normalized in one go, and stored as whole lane vectors, instead of one table lookup and one scattered store per
/// pixel. Gives exactly the floats of the table (see <see cref="PixelNormalization.VectorForm"/>).
/// </summary>
internal static class VectorPacking
{
    public static bool Supported(int lanes) =>
        Sse2.IsSupported && (lanes == 16 ? Avx512F.IsSupported : lanes == 8 && Avx2.IsSupported);

    /// <summary>One lane group: lane l's bytes start at <paramref name="starts"/>[l] in <paramref name="pixels"/>; lanes past starts.Length are padding.</summary>
    public static void PackGroup(ReadOnlySpan<byte> pixels, ReadOnlySpan<int> starts, int size, int lanes, (float Mean, float Std) form,
                                 ReadOnlySpan<float> table, Span<float> group)
    {
        int valid = starts.Length;
        Span<Vector128<byte>> rows = stackalloc Vector128<byte>[16];
        rows.Clear(); // padding lanes and, for 8 lanes, rows 8..15 stay 0
        int e0 = 0;
        for (; e0 + 16 <= size; e0 += 16)
        {
            for (int l = 0; l < valid; l++)
                rows[l] = Vector128.Create(pixels.Slice(starts[l] + e0, 16));
            Transpose16(rows);
            // rows[j] now holds pixel e0 + j of every lane
            for (int j = 0; j < 16; j++)
                Store(rows[j], lanes, valid, form, group.Slice((e0 + j) * lanes, lanes));
        }
        // the last size % 16 pixels one at a time
        for (int e = e0; e < size; e++)
            for (int l = 0; l < lanes; l++)
                group[e * lanes + l] = l < valid ? table[pixels[starts[l] + e]] : 0f;
    }

    /// <summary>One pixel of every lane: bytes to floats, normalized, padding lanes 0.</summary>
    private static void Store(Vector128<byte> bytes, int lanes, int valid, (float Mean, float Std) form, Span<float> destination)
    {
        if (lanes == 16)
        {
            var x = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(bytes));
            var y = (x / Vector512.Create(255f) - Vector512.Create(form.Mean)) / Vector512.Create(form.Std);
            if (valid < 16) y = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(valid)).AsSingle(), y, Vector512<float>.Zero);
            y.CopyTo(destination);
        }
        else
        {
            var x = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes)); // the low 8 bytes
            var y = (x / Vector256.Create(255f) - Vector256.Create(form.Mean)) / Vector256.Create(form.Std);
            if (valid < 8) y = Vector256.ConditionalSelect(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(valid)).AsSingle(), y, Vector256<float>.Zero);
            y.CopyTo(destination);
        }
    }

    /// <summary>Transposes 16 x 16 bytes in place: four rounds of interleaving row i with row i + 8.</summary>
    private static void Transpose16(Span<Vector128<byte>> rows)
    {
        Span<Vector128<byte>> next = stackalloc Vector128<byte>[16];
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 8; i++)
            {
                next[2 * i] = Sse2.UnpackLow(rows[i], rows[i + 8]);
                next[2 * i + 1] = Sse2.UnpackHigh(rows[i], rows[i + 8]);
            }
            next.CopyTo(rows);
        }
    }
}

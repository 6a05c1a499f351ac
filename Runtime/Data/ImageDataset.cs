using System;

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

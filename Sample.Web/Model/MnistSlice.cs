using System;
using System.IO;
using System.IO.Compression;
using CnnGen.Data;

namespace CnnGen.Sample.Web.Model;

/// <summary>
/// The page's slice of MNIST (<c>wwwroot/data/mnist-slice.bin.gz</c>, made by <c>tools/make-mnist-slice.py</c>): a
/// training and a test set of 28x28 digits in one gzipped file.
/// </summary>
/// <remarks>
/// Format (little-endian int32): magic <c>CNNGMN01</c>, train count, test count, rows, cols; then train labels (one
/// byte each), train pixels (rows x cols bytes each), test labels, test pixels.
/// </remarks>
public static class MnistSlice
{
    private const string Magic = "CNNGMN01";

    /// <summary>Reads the gzipped slice; a file that is not one is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static (ImageDataset Train, ImageDataset Test) Read(byte[] gzipped, string name = "mnist-slice.bin.gz")
    {
        ArgumentNullException.ThrowIfNull(gzipped);
        byte[] raw;
        try
        {
            using var input = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            raw = output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: not a gzip file ({e.Message}).", e);
        }
        const int header = 8 + 4 * 4;
        if (raw.Length < header || System.Text.Encoding.ASCII.GetString(raw, 0, 8) != Magic)
            throw new InvalidDataException($"{name}: no '{Magic}' header: not a CnnGen MNIST slice.");
        int train = BitConverter.ToInt32(raw, 8), test = BitConverter.ToInt32(raw, 12);
        int rows = BitConverter.ToInt32(raw, 16), cols = BitConverter.ToInt32(raw, 20);
        if (train < 1 || test < 0 || rows != 28 || cols != 28)
            throw new InvalidDataException($"{name}: {train} train and {test} test images of {rows}x{cols}; expected at least one training image of 28x28.");
        long size = (long)rows * cols;
        long expected = header + (train + test) * (1 + size);
        if (raw.Length != expected)
            throw new InvalidDataException($"{name}: {raw.Length:N0} bytes after decompression, {expected:N0} expected for {train} + {test} images.");
        int offset = header;
        ImageDataset Take(int count, string split)
        {
            var labels = raw.AsSpan(offset, count).ToArray();
            offset += count;
            var pixels = raw.AsSpan(offset, (int)(count * size)).ToArray();
            offset += (int)(count * size);
            foreach (byte label in labels)
                if (label > 9) throw new InvalidDataException($"{name}: a {split} label is {label}; digits are 0-9.");
            return new ImageDataset(pixels, labels, 1, rows, cols, 10, $"MNIST slice ({split})");
        }
        var trainSet = Take(train, "train");
        var testSet = Take(test, "test");
        return (trainSet, testSet);
    }
}

using System;
using System.IO;
using System.IO.Compression;
using CnnGen.Sample.Tests.Runtime;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>Small IDX data sets written by the tests: a learnable 3-class set of 28 x 28 images, and raw files.</summary>
public static class IdxSets
{
    public const string TrainImages = "train-images-idx3-ubyte", TrainLabels = "train-labels-idx1-ubyte",
                        TestImages = "t10k-images-idx3-ubyte", TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>Writes an IDX file (gzipped when the name ends in .gz).</summary>
    public static string Write(string directory, string name, int[] sizes, byte[] data)
    {
        byte[] bytes = IdxReaderTests.Idx(sizes, data);
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, name.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(bytes) : bytes);
        return path;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
            gzip.Write(bytes);
        return memory.ToArray();
    }

    /// <summary>
    /// Images of <paramref name="classes"/> classes: class k is a bright horizontal band at rows 4 + 7k .. 4 + 7k + 5
    /// (wrapping) over noise, so a working network separates them in one short epoch; labels cycle 0, 1, 2, ...
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) Bands(int count, int classes, ulong seed, int size = 28)
    {
        var random = new Random((int)seed);
        var pixels = new byte[count * size * size];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int k = i % classes;
            labels[i] = (byte)k;
            var image = pixels.AsSpan(i * size * size, size * size);
            for (int p = 0; p < image.Length; p++) image[p] = (byte)random.Next(0, 60);
            for (int r = 0; r < 5; r++)
            {
                int row = (4 + 7 * k + r) % size;
                for (int c = 2; c < size - 2; c++) image[row * size + c] = (byte)random.Next(180, 256);
            }
        }
        return (pixels, labels);
    }

    /// <summary>Writes a banded set (<see cref="Bands"/>) under the MNIST file names into a new directory.</summary>
    public static string WriteBands(string root, string name, int train, int test, int classes = 3, bool gz = false, int size = 28)
    {
        string directory = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        string ext = gz ? ".gz" : "";
        var (trainPixels, trainLabels) = Bands(train, classes, 1, size);
        var (testPixels, testLabels) = Bands(test, classes, 2, size);
        Write(directory, TrainImages + ext, [train, size, size], trainPixels);
        Write(directory, TrainLabels + ext, [train], trainLabels);
        Write(directory, TestImages + ext, [test, size, size], testPixels);
        Write(directory, TestLabels + ext, [test], testLabels);
        return directory;
    }
}

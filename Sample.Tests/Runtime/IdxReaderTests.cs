using System;
using System.IO;
using System.Linq;
using System.IO.Compression;
using CnnGen.Data;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cnngen-idx-" + Guid.NewGuid().ToString("N"));

    public IdxReaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Big-endian IDX bytes: magic 00 00 08 dims, sizes, then the data.</summary>
    internal static byte[] Idx(int[] sizes, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * sizes.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)sizes.Length;
        for (int d = 0; d < sizes.Length; d++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), sizes[d]);
        data.CopyTo(bytes, 4 + 4 * sizes.Length);
        return bytes;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest))
            gzip.Write(bytes);
        return memory.ToArray();
    }

    private static byte[] Sequence(int n)
    {
        var data = new byte[n];
        for (int i = 0; i < n; i++) data[i] = (byte)(i * 7 + 3);
        return data;
    }

    [Fact]
    public void ReadsImagesAndLabels()
    {
        byte[] pixels = Sequence(3 * 2 * 4);
        string images = Write("img.idx", Idx([3, 2, 4], pixels));
        string labels = Write("lbl.idx", Idx([3], [2, 0, 1]));

        var (read, count, rows, columns) = IdxReader.ReadImages(images);
        Assert.Equal((3, 2, 4), (count, rows, columns));
        Assert.Equal(pixels, read);
        Assert.Equal(new byte[] { 2, 0, 1 }, IdxReader.ReadLabels(labels));

        var dataset = ImageDataset.FromIdx(images, labels, classCount: 3);
        Assert.Equal(3, dataset.Count);
        Assert.Equal(8, dataset.SampleSize);
        Assert.Equal(pixels.AsSpan(8, 8).ToArray(), dataset.Pixels(1).ToArray());
        Assert.Equal(1, dataset.Label(2));
    }

    [Fact]
    public void ReadsGzipLikeRaw()
    {
        byte[] raw = Idx([5, 3, 3], Sequence(45));
        string plain = Write("a.idx", raw);
        string packed = Write("a.idx.gz", Gzip(raw));
        Assert.Equal(IdxReader.Read(plain).Data, IdxReader.Read(packed).Data);
        Assert.Equal(new[] { 5, 3, 3 }, IdxReader.Read(packed).Dimensions);
    }

    [Fact]
    public void ReadsOtherDimensionCounts()
    {
        var array = IdxReader.Read(Write("4d.idx", Idx([2, 3, 2, 2], Sequence(24))));
        Assert.Equal(new[] { 2, 3, 2, 2 }, array.Dimensions);
        Assert.Equal(Sequence(24), array.Data);
    }

    [Fact]
    public void TruncatedDataIsAnErrorNamingTheFile()
    {
        byte[] raw = Idx([4, 2, 2], Sequence(16));
        string path = Write("short.idx", raw.AsSpan(0, raw.Length - 3).ToArray());
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("4 x 2 x 2 = 16 bytes", e.Message);
        Assert.Contains("only 13 follow", e.Message);
    }

    [Fact]
    public void TruncatedGzipIsAnError()
    {
        byte[] raw = Idx([4, 2, 2], Sequence(16));
        string path = Write("short.idx.gz", Gzip(raw.AsSpan(0, raw.Length - 5).ToArray()));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("only 11 follow", e.Message);
    }

    [Fact]
    public void CutGzipStreamIsAnError()
    {
        byte[] gz = Gzip(Idx([40, 20, 20], Sequence(16000)));
        string path = Write("cut.idx.gz", gz.AsSpan(0, gz.Length / 2).ToArray());
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAnError()
    {
        string path = Write("hdr.idx", Idx([4, 2, 2], []).AsSpan(0, 10).ToArray());
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated in its header", e.Message);

        string tiny = Write("tiny.idx", [0, 0]);
        Assert.Contains("too short for the 4-byte IDX magic", Assert.Throws<IdxFormatException>(() => IdxReader.Read(tiny)).Message);
    }

    [Fact]
    public void ExtendedFileIsAnError()
    {
        byte[] raw = Idx([2, 2, 2], Sequence(8));
        string path = Write("long.idx", [.. raw, 1, 2]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("2 extra byte(s)", e.Message);

        string gz = Write("long.idx.gz", Gzip([.. raw, 9]));
        Assert.Contains("1 extra byte(s)", Assert.Throws<IdxFormatException>(() => IdxReader.Read(gz)).Message);
    }

    [Fact]
    public void WrongMagicIsAnError()
    {
        byte[] raw = Idx([2], [0, 1]);
        raw[0] = 0x1A;
        string path = Write("magic.idx", raw);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("wrong magic number 0x1A000801", e.Message);

        string floats = Write("float.idx", Idx([2], new byte[8], type: 0x0D));
        var f = Assert.Throws<IdxFormatException>(() => IdxReader.Read(floats));
        Assert.Contains("element type 0x0D (float32) is not supported", f.Message);

        string noDims = Write("nodims.idx", [0, 0, 8, 0]);
        Assert.Contains("0 dimensions", Assert.Throws<IdxFormatException>(() => IdxReader.Read(noDims)).Message);
    }

    [Fact]
    public void ImageFileWithLabelMagicIsAnError()
    {
        string labels = Write("labels-as-images.idx", Idx([3], [0, 1, 2]));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("expected an image file (magic 0x00000803", e.Message);

        string images = Write("images-as-labels.idx", Idx([1, 2, 2], Sequence(4)));
        Assert.Contains("expected a label file (magic 0x00000801", Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(images)).Message);
    }

    [Fact]
    public void ForgedHugeHeaderFailsWithoutAllocating()
    {
        // Declares 60000 x 28 x 28 (47 MB) with 10 bytes of data; and 2^31-1 x 2^31-1 (too large for any array).
        string forged = Write("forged.idx", Idx([60000, 28, 28], Sequence(10)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(forged));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("60000 x 28 x 28 = 47040000 bytes", e.Message);
        Assert.True(allocated < 1_000_000, $"Reading a forged header allocated {allocated} bytes.");

        string huge = Write("huge.idx", Idx([int.MaxValue, int.MaxValue], Sequence(4)));
        Assert.Contains("larger than any array can hold", Assert.Throws<IdxFormatException>(() => IdxReader.Read(huge)).Message);

        string negative = Write("neg.idx", Idx([-5], Sequence(4)));
        Assert.Contains("not a valid count", Assert.Throws<IdxFormatException>(() => IdxReader.Read(negative)).Message);

        // The same forged header, gzip-compressed: the buffer grows only with the data that arrives.
        string forgedGz = Write("forged.idx.gz", Gzip(Idx([60000, 28, 28], Sequence(10))));
        before = GC.GetAllocatedBytesForCurrentThread();
        var g = Assert.Throws<IdxFormatException>(() => IdxReader.Read(forgedGz));
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("truncated (after decompression)", g.Message);
        Assert.True(allocated < 1_000_000, $"Reading a forged gzip header allocated {allocated} bytes.");
    }

    [Fact]
    public void CountMismatchBetweenImagesAndLabelsIsAnError()
    {
        string images = Write("img.idx", Idx([3, 2, 2], Sequence(12)));
        string labels = Write("lbl.idx", Idx([2], [0, 1]));
        var e = Assert.Throws<IdxFormatException>(() => ImageDataset.FromIdx(images, labels, 10));
        Assert.Contains(labels, e.Message);
        Assert.Contains("holds 2 labels but the image file", e.Message);
        Assert.Contains("holds 3 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsAnError()
    {
        string images = Write("img.idx", Idx([3, 2, 2], Sequence(12)));
        string labels = Write("lbl.idx", Idx([3], [0, 10, 1]));
        var e = Assert.Throws<IdxFormatException>(() => ImageDataset.FromIdx(images, labels, 10));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label of sample 1 is 10, outside the 10 classes 0..9", e.Message);
    }

    [Fact]
    public void MissingFileIsAnIdxError()
    {
        string path = Path.Combine(_dir, "nope.idx");
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("cannot be opened", e.Message);
    }

    [Fact]
    public void Image_shapes_are_3D_one_channel_or_4D_with_1_or_3_channels_first_or_last()
    {
        IdxArray Array(params int[] sizes) => IdxReader.Read(new MemoryStream(Idx(sizes, new byte[sizes.Aggregate(1, (a, b) => a * b)])), "x");
        Assert.Equal(new IdxImageShape(2, 1, 5, 7, false), IdxReader.ImageShape(Array(2, 5, 7), "x"));
        Assert.Equal(new IdxImageShape(2, 3, 5, 7, false), IdxReader.ImageShape(Array(2, 3, 5, 7), "x"));
        Assert.Equal(new IdxImageShape(2, 1, 5, 7, false), IdxReader.ImageShape(Array(2, 1, 5, 7), "x"));
        Assert.Equal(new IdxImageShape(2, 3, 5, 7, true), IdxReader.ImageShape(Array(2, 5, 7, 3), "x"));
        Assert.Equal(new IdxImageShape(2, 3, 5, 3, false), IdxReader.ImageShape(Array(2, 3, 5, 3), "x")); // both fit: channel-first
        Assert.Contains("neither its second dimension", Assert.Throws<IdxFormatException>(() => IdxReader.ImageShape(Array(2, 4, 5, 6), "x")).Message);
        Assert.Contains("expected an image file", Assert.Throws<IdxFormatException>(() => IdxReader.ImageShape(Array(2, 5), "x")).Message);
        Assert.Contains("has empty images", Assert.Throws<IdxFormatException>(() => IdxReader.ImageShape(Array(2, 0, 5), "x")).Message);
    }

    [Fact]
    public void FromIdx_transposes_channel_last_images_to_channel_first()
    {
        // one 2 x 2 RGB image stored interleaved: (r,g,b) per pixel
        byte[] interleaved = [1, 2, 3, 11, 12, 13, 21, 22, 23, 31, 32, 33];
        var images = IdxReader.Read(new MemoryStream(Idx([1, 2, 2, 3], interleaved)), "rgb");
        var labels = IdxReader.Read(new MemoryStream(Idx([1], [4])), "lbl");
        var data = ImageDataset.FromIdx(images, "rgb", labels, "lbl", classCount: 5);
        Assert.Equal((3, 2, 2), (data.Channels, data.Height, data.Width));
        Assert.Equal(new byte[] { 1, 11, 21, 31, 2, 12, 22, 32, 3, 13, 23, 33 }, data.Pixels(0).ToArray());
        Assert.Contains("IDX file 'lbl': label of sample 0 is 4, outside the 3 classes",
                        Assert.Throws<IdxFormatException>(() => ImageDataset.FromIdx(images, "rgb", labels, "lbl", classCount: 3)).Message);
    }

    [Fact]
    public void The_header_and_data_of_a_read_array_are_exactly_the_uncompressed_file()
    {
        byte[] file = Idx([3, 2, 4], Sequence(24));
        var fromPlain = IdxReader.Read(new MemoryStream(file), "plain");
        var fromGz = IdxReader.Read(new MemoryStream(Gzip(file)), "gz");
        Assert.Equal(file, (byte[])[.. IdxReader.Header(fromPlain), .. fromPlain.Data]);
        Assert.Equal(file, (byte[])[.. IdxReader.Header(fromGz), .. fromGz.Data]);
    }
}

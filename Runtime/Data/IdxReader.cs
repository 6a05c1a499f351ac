using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace CnnGen.Data;

/// <summary>
/// Reads IDX files (the MNIST format): big-endian magic <c>00 00 type dims</c>, then <c>dims</c> big-endian
/// int32 sizes, then the data. Only unsigned bytes (type 0x08) are supported. Files may be gzip-compressed
/// (detected by the gzip signature, whatever the extension).
/// </summary>
/// <remarks>
/// Everything is validated: magic, element type, dimension count, sizes, and that the file holds exactly the
/// declared data (a truncated or extended file is an error). A forged header cannot cause a large allocation:
/// for an uncompressed file the declared size is checked against the file length first; for a compressed one
/// the buffer grows only as decompressed data actually arrives.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic of an unsigned-byte IDX file with 3 dimensions (images: count x rows x columns).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic of an unsigned-byte IDX file with 1 dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    private const int UnsignedByteType = 0x08;
    private const int MaxDimensions = 16;
    private const int GrowthChunk = 1 << 16;

    /// <summary>Reads an unsigned-byte IDX file with any number of dimensions (1 to 16).</summary>
    public static IdxArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IdxFormatException(path, $"cannot be opened: {e.Message}", e);
        }
        using (file)
            return Read(file, path);
    }

    /// <summary>
    /// Reads an unsigned-byte IDX array from <paramref name="stream"/> (gzip-compressed or not);
    /// <paramref name="name"/> is used in error messages. The whole stream must be the IDX data.
    /// </summary>
    public static IdxArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            // Look at the first two bytes for the gzip signature 1F 8B.
            var head = new byte[2];
            int got = ReadFully(stream, head);
            if (got == 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                var rest = new PrefixedStream(head, stream);
                using var gzip = new GZipStream(rest, CompressionMode.Decompress, leaveOpen: true);
                return ReadUncompressed(gzip, name, knownLength: -1, compressed: true);
            }
            long length = stream.CanSeek ? stream.Length - stream.Position + got : -1;
            return ReadUncompressed(new PrefixedStream(head.AsSpan(0, got).ToArray(), stream), name, length, compressed: false);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(name, $"is not valid gzip data: {e.Message}", e);
        }
    }

    /// <summary>Reads an image file (magic 0x00000803): returns the pixels (count x rows x columns bytes) and the sizes.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        var array = Read(path);
        if (array.Dimensions.Length != 3)
            throw new IdxFormatException(path, $"expected an image file (magic 0x{ImagesMagic:X8}: count x rows x columns) but it has {array.Dimensions.Length} dimension(s) (magic 0x{0x800 | array.Dimensions.Length:X8}).");
        return (array.Data, array.Dimensions[0], array.Dimensions[1], array.Dimensions[2]);
    }

    /// <summary>
    /// The image layout of <paramref name="array"/> (read from <paramref name="name"/>, for messages): 3-D
    /// <c>count x rows x columns</c> is one channel; 4-D <c>count x C x H x W</c> with C of 1 or 3 is channel-first, the
    /// order the network takes. A 4-D array whose second dimension is not 1 or 3 but whose last one is
    /// (<c>count x H x W x C</c>, the order image libraries store pixels in) is channel-last; when both the second and
    /// the last dimension are 1 or 3 (e.g. <c>n x 3 x 32 x 3</c>) the array is read as channel-first, never guessed.
    /// </summary>
    public static IdxImageShape ImageShape(IdxArray array, string name)
    {
        ArgumentNullException.ThrowIfNull(array);
        int[] d = array.Dimensions;
        IdxImageShape shape = d.Length switch
        {
            3 => new(d[0], 1, d[1], d[2], ChannelLast: false),
            4 when d[1] is 1 or 3 => new(d[0], d[1], d[2], d[3], ChannelLast: false),
            4 when d[3] is 1 or 3 => new(d[0], d[3], d[1], d[2], ChannelLast: true),
            4 => throw new IdxFormatException(name, $"is a 4-D array of {Describe(d, 4)}, but neither its second dimension (count x C x H x W) nor its last (count x H x W x C) is a channel count of 1 or 3."),
            _ => throw new IdxFormatException(name, $"expected an image file (magic 0x{ImagesMagic:X8}: count x rows x columns, or 0x00000804: count x channels x rows x columns) but it has {d.Length} dimension(s) (magic 0x{0x800 | d.Length:X8})."),
        };
        if (shape.Height == 0 || shape.Width == 0 || shape.Channels == 0)
            throw new IdxFormatException(name, $"has empty images ({Describe(d, d.Length)}).");
        return shape;
    }

    /// <summary>Reads a label file (magic 0x00000801): one byte per sample.</summary>
    public static byte[] ReadLabels(string path) => Labels(Read(path), path);

    /// <summary>The labels of a label array (one dimension) read from <paramref name="name"/>.</summary>
    public static byte[] Labels(IdxArray array, string name)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Dimensions.Length != 1)
            throw new IdxFormatException(name, $"expected a label file (magic 0x{LabelsMagic:X8}: one dimension) but it has {array.Dimensions.Length} dimensions (magic 0x{0x800 | array.Dimensions.Length:X8}).");
        return array.Data;
    }

    /// <summary>
    /// The header an uncompressed IDX file of <paramref name="array"/> starts with: together with
    /// <see cref="IdxArray.Data"/> it is exactly the uncompressed file (the reader refuses files with anything else),
    /// so a checksum of header + data identifies the file whether it was stored plain or gzipped.
    /// </summary>
    public static byte[] Header(IdxArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var header = new byte[4 + 4 * array.Dimensions.Length];
        header[2] = UnsignedByteType;
        header[3] = (byte)array.Dimensions.Length;
        for (int d = 0; d < array.Dimensions.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d, 4), array.Dimensions[d]);
        return header;
    }

    private static IdxArray ReadUncompressed(Stream stream, string name, long knownLength, bool compressed)
    {
        // magic: 00 00 type dims
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(stream, magic);
        if (got < 4)
            throw new IdxFormatException(name, $"is truncated: {got} byte(s), too short for the 4-byte IDX magic number.");
        int magicValue = BinaryPrimitives.ReadInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0)
            throw new IdxFormatException(name, $"wrong magic number 0x{magicValue:X8}: an IDX file starts with two zero bytes (0x000008dd for unsigned bytes with dd dimensions).");
        if (magic[2] != UnsignedByteType)
            throw new IdxFormatException(name, $"wrong magic number 0x{magicValue:X8}: element type 0x{magic[2]:X2} ({TypeName(magic[2])}) is not supported; only unsigned bytes (0x08) are.");
        int dims = magic[3];
        if (dims < 1 || dims > MaxDimensions)
            throw new IdxFormatException(name, $"wrong magic number 0x{magicValue:X8}: {dims} dimensions; 1 to {MaxDimensions} are supported.");

        // sizes: dims big-endian int32
        Span<byte> sizeBytes = stackalloc byte[4 * MaxDimensions];
        sizeBytes = sizeBytes.Slice(0, 4 * dims);
        got = ReadFully(stream, sizeBytes);
        if (got < sizeBytes.Length)
            throw new IdxFormatException(name, $"is truncated in its header: {dims} dimension sizes need {4 * dims} bytes after the magic, only {got} present.");
        var sizes = new int[dims];
        long total = 1;
        for (int d = 0; d < dims; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.Slice(4 * d, 4));
            if (size > int.MaxValue)
                throw new IdxFormatException(name, $"dimension {d} has size {size}, which is not a valid count (larger than {int.MaxValue}).");
            sizes[d] = (int)size;
            total *= size;
            if (total > Array.MaxLength)
                throw new IdxFormatException(name, $"declares {Describe(sizes, d + 1)} = more than {Array.MaxLength} values, larger than any array can hold.");
        }

        long headerLength = 4 + 4L * dims;
        if (knownLength >= 0)
        {
            // Uncompressed with a known length: check before allocating.
            long dataLength = knownLength - headerLength;
            if (dataLength < total)
                throw new IdxFormatException(name, $"is truncated: the header declares {Describe(sizes, dims)} = {total} bytes of data but only {dataLength} follow.");
            if (dataLength > total)
                throw new IdxFormatException(name, $"has {dataLength - total} extra byte(s) after the {total} bytes declared by the header ({Describe(sizes, dims)}).");
            var data = new byte[total];
            got = ReadFully(stream, data);
            if (got < total)
                throw new IdxFormatException(name, $"is truncated: the header declares {total} bytes of data but only {got} could be read.");
            return new IdxArray(sizes, data);
        }

        // Unknown length (gzip or a non-seekable stream): grow the buffer only as data arrives.
        byte[] buffer = new byte[(int)Math.Min(total, GrowthChunk)];
        long filled = 0;
        while (filled < total)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(total, Math.Max((long)buffer.Length * 2, GrowthChunk)));
            int n = stream.Read(buffer, (int)filled, (int)(buffer.Length - filled));
            if (n == 0)
                throw new IdxFormatException(name, $"is truncated{(compressed ? " (after decompression)" : "")}: the header declares {Describe(sizes, dims)} = {total} bytes of data but only {filled} follow.");
            filled += n;
        }
        Span<byte> probe = stackalloc byte[256];
        long extra = 0;
        int m;
        while ((m = stream.Read(probe)) > 0)
        {
            extra += m;
            if (extra > 1 << 20) break;
        }
        if (extra > 0)
            throw new IdxFormatException(name, $"has {(extra > 1 << 20 ? "more than 1 MiB of" : extra.ToString(System.Globalization.CultureInfo.InvariantCulture))} extra byte(s){(compressed ? " (after decompression)" : "")} after the {total} bytes declared by the header ({Describe(sizes, dims)}).");
        return new IdxArray(sizes, buffer);
    }

    private static string Describe(int[] sizes, int count)
    {
        var text = new System.Text.StringBuilder();
        for (int d = 0; d < count; d++)
        {
            if (d > 0) text.Append(" x ");
            text.Append(sizes[d].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };

    private static int ReadFully(Stream stream, Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = stream.Read(destination.Slice(total));
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>A read-only stream that replays a few already-read bytes, then continues with the inner stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _prefixPosition;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPosition < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
                prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }
            return inner.Read(buffer);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

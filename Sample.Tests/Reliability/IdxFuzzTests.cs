using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Data;
using CnnGen.Sample.Tests.Mnist;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// Mutations of real MNIST files (the first 100 test images and labels, plain and gzip): truncated, extended,
/// bit-flipped, header rewritten. Every read either succeeds the same way twice or throws
/// <see cref="IdxFormatException"/> naming the file; never another exception, never a hang, and never an
/// allocation beyond a small multiple of the data actually present (a forged header cannot reserve gigabytes).
/// </summary>
public sealed class IdxFuzzTests(ITestOutputHelper output) : IDisposable
{
    public const int Mutations = 6000;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("cnngen-idx-fuzz-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>The first <paramref name="count"/> items of a real MNIST file, as a small valid IDX file.</summary>
    private static byte[] Slice(string path, int count)
    {
        var array = IdxReader.Read(path);
        int itemSize = array.Data.Length / array.Dimensions[0];
        using var stream = new MemoryStream();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, 0x800 | array.Dimensions.Length);
        stream.Write(word);
        BinaryPrimitives.WriteInt32BigEndian(word, count);
        stream.Write(word);
        foreach (int size in array.Dimensions.Skip(1))
        {
            BinaryPrimitives.WriteInt32BigEndian(word, size);
            stream.Write(word);
        }
        stream.Write(array.Data, 0, count * itemSize);
        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(data);
        return stream.ToArray();
    }

    /// <summary>How many bytes a tolerant inflater gets out of <paramref name="data"/> (0 if it is not gzip).</summary>
    private static long Inflatable(byte[] data)
    {
        if (data.Length < 2 || data[0] != 0x1F || data[1] != 0x8B) return 0;
        long total = 0;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = gzip.Read(buffer)) > 0 && total < 1L << 30) total += n;
        }
        catch (InvalidDataException) { }
        return total;
    }

    private enum Kind { Truncate, Extend, FlipBits, FlipHeaderBits, RewriteHeader, RewriteThenResize }

    private static byte[] Mutate(byte[] source, Kind kind, ulong seed, bool gzipAfter)
    {
        var r = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        byte[] bytes = source.ToArray();
        switch (kind)
        {
            case Kind.Truncate:
                bytes = bytes[..r.Next(0, bytes.Length)];
                break;
            case Kind.Extend:
            {
                var extra = new byte[r.Next(1, 1 << (r.Next(1, 17)))];
                if (r.Next(2) == 0) r.NextBytes(extra);
                bytes = [.. bytes, .. extra];
                break;
            }
            case Kind.FlipBits:
                for (int i = r.Next(1, 17); i > 0; i--) bytes[r.Next(bytes.Length)] ^= (byte)(1 << r.Next(8));
                break;
            case Kind.FlipHeaderBits:
                for (int i = r.Next(1, 4); i > 0; i--) bytes[r.Next(Math.Min(16, bytes.Length))] ^= (byte)(1 << r.Next(8));
                break;
            case Kind.RewriteHeader:
            case Kind.RewriteThenResize:
            {
                switch (r.Next(5))
                {
                    case 0: bytes[r.Next(4)] = (byte)r.Next(256); break;            // magic
                    case 1: bytes[3] = (byte)r.Next(0, 20); break;                  // dimension count
                    default:                                                        // a size field
                    {
                        int dims = Math.Max(1, Math.Min((int)bytes[3], (bytes.Length - 4) / 4));
                        uint[] forged = [0, 1, 2, 27, 29, 100, 101, 60000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1u << 20, 1u << 24, (uint)r.Next()];
                        int at = 4 + 4 * r.Next(dims);
                        if (at + 4 <= bytes.Length) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), forged[r.Next(forged.Length)]);
                        break;
                    }
                }
                if (kind == Kind.RewriteThenResize)
                    bytes = r.Next(2) == 0 ? bytes[..r.Next(0, bytes.Length)] : [.. bytes, .. new byte[r.Next(1, 5000)]];
                break;
            }
        }
        return gzipAfter ? Gzip(bytes) : bytes;
    }

    private sealed record Outcome(int[]? Dimensions, byte[]? Data, string? Error, long Allocated)
    {
        public bool SameAs(Outcome other) =>
            Error == other.Error
            && (Dimensions is null ? other.Dimensions is null : other.Dimensions is not null && Dimensions.SequenceEqual(other.Dimensions))
            && (Data is null ? other.Data is null : other.Data is not null && Data.AsSpan().SequenceEqual(other.Data));
    }

    /// <summary>One read on a worker thread, with a timeout; anything but <see cref="IdxFormatException"/> fails.</summary>
    private static Outcome ReadOnce(string path, int mode)
    {
        var task = Task.Factory.StartNew(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                (int[] dimensions, byte[] data) = mode switch
                {
                    1 => IdxReader.ReadImages(path) is var i ? (new[] { i.Count, i.Rows, i.Columns }, i.Pixels) : default,
                    2 => IdxReader.ReadLabels(path) is var l ? (new[] { l.Length }, l) : default,
                    _ => IdxReader.Read(path) is var a ? (a.Dimensions, a.Data) : default,
                };
                return new Outcome(dimensions, data, null, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (IdxFormatException e)
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.Equal(path, e.FileName);
                Assert.Contains(path, e.Message);
                Assert.False(string.IsNullOrWhiteSpace(e.Problem));
                return new Outcome(null, null, e.Message, allocated);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(CaseTimeout))
            Assert.Fail($"Reading '{path}' did not finish within {CaseTimeout.TotalSeconds} s.");
        return task.Result;
    }

    [Fact]
    public void Mutated_MNIST_files_are_read_consistently_or_refused_naming_the_file()
    {
        var clock = Stopwatch.StartNew();
        var location = RealMnist.Location;
        byte[] images = Slice(location.TestImages, 100), labels = Slice(location.TestLabels, 100);
        byte[][] bases = [images, labels, Gzip(images), Gzip(labels)];
        string path = Path.Combine(_directory, "t10k-images-idx3-ubyte.fuzz");

        // the unmutated slices read back exactly
        foreach (var b in bases)
        {
            File.WriteAllBytes(path, b);
            Assert.Null(ReadOnce(path, 0).Error);
        }

        int cases = 0, succeeded = 0;
        long worstRatioBytes = 0, worstFile = 1;
        var errors = new SortedDictionary<string, int>();
        Gen.Select(Gen.Int[0, 3], Gen.Enum<Kind>(), Gen.ULong, Gen.Int[0, 3]).Sample((which, kind, seed, flags) =>
        {
            bool gzipBase = which >= 2;
            // flags bit 0: for a plain base, gzip the mutated bytes (a forged header inside valid gzip data)
            byte[] bytes = Mutate(bases[which], kind, seed, gzipAfter: !gzipBase && (flags & 1) == 1);
            File.WriteAllBytes(path, bytes);
            int mode = (flags & 2) == 0 ? 0 : which % 2 == 0 ? 1 : 2;
            var first = ReadOnce(path, mode);
            var second = ReadOnce(path, mode);
            Assert.True(first.SameAs(second), $"Two reads of the same bytes differ: '{first.Error}' vs '{second.Error}'");
            if (first.Error is null)
            {
                Assert.Equal(first.Dimensions!.Aggregate(1L, (a, d) => a * d), first.Data!.LongLength);
                Interlocked.Increment(ref succeeded);
            }
            else
            {
                // the kind of problem, without sizes: "is truncated", "wrong magic number", ...
                string problem = first.Error[(first.Error.IndexOf("': ", StringComparison.Ordinal) + 3)..];
                problem = string.Join(' ', System.Text.RegularExpressions.Regex.Replace(problem, @"[0-9][0-9x =]*", "N ").Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4)).TrimEnd(':', ',', '.');
                lock (errors) errors[problem] = errors.GetValueOrDefault(problem) + 1;
            }
            // the data really present: the file, or what it inflates to
            long present = Math.Max(bytes.Length, Inflatable(bytes));
            long bound = 3 * present + (1 << 19);
            Assert.True(first.Allocated <= bound,
                $"Reading a {bytes.Length}-byte file ({present} bytes of data) allocated {first.Allocated} bytes, over the bound {bound} ({kind}, base {which}).");
            lock (errors)
                if (present >= 4096 && first.Allocated * worstFile > worstRatioBytes * present) { worstRatioBytes = first.Allocated; worstFile = present; }
            Interlocked.Increment(ref cases);
        }, iter: Mutations, threads: 1);

        output.WriteLine($"IDX fuzzing: {cases} mutated files, each read twice: {succeeded} read consistently, {cases - succeeded} refused with IdxFormatException naming the file; " +
                         $"largest allocation per byte present (files of 4 KiB or more) {(double)worstRatioBytes / worstFile:F2} ({worstRatioBytes} bytes for {worstFile}); {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("refusals by problem: " + string.Join("; ", errors.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
        Assert.Equal(Mutations, cases);
    }

    /// <summary>A header that declares 2^31 - 1 images with only a few bytes behind it, plain and gzip: refused, small allocation.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_forged_huge_header_does_not_allocate_what_it_declares(bool gzip)
    {
        byte[] header = new byte[16 + 784];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 0x7FFFFFFF);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 28);
        string path = Path.Combine(_directory, "forged.idx");
        File.WriteAllBytes(path, gzip ? Gzip(header) : header);
        var outcome = ReadOnce(path, 1);
        Assert.NotNull(outcome.Error);
        Assert.True(outcome.Allocated < 1 << 20, $"allocated {outcome.Allocated} bytes");
    }
}

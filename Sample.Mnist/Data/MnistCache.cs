using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>
/// The directory that holds verified MNIST files. A file only ever appears here under its final name after its
/// length and SHA-256 matched: it is written to a hidden temporary file beside it and moved into place, and the
/// temporary file is deleted on every failure, so a bad or partial file is never left behind.
/// </summary>
public sealed class MnistCache
{
    public MnistCache(string directory) => Directory = Path.GetFullPath(directory);

    /// <summary>Absolute path of the cache directory.</summary>
    public string Directory { get; }

    /// <summary>Where <paramref name="file"/> lives once it is cached.</summary>
    public string PathOf(MnistFile file) => Path.Combine(Directory, file.Name);

    /// <summary>True when the cache holds <paramref name="file"/> with the right length and SHA-256.</summary>
    public bool Contains(MnistFile file) => MnistVerifier.Check(PathOf(file), file) is null;

    /// <summary>
    /// Copies <paramref name="content"/> (the uncompressed file) into the cache if its length and SHA-256 match
    /// <paramref name="file"/>. Returns null on success, else why it was rejected; nothing is left behind then.
    /// </summary>
    public string? TryStore(MnistFile file, Stream content, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string temporary = Path.Combine(Directory, $".{file.Name}.{Guid.NewGuid():N}.partial");
        try
        {
            string? problem;
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                problem = MnistVerifier.CopyAndCheck(content, output, file, cancellationToken);
            if (problem is not null)
                return problem;
            File.Move(temporary, PathOf(file), overwrite: true);
            return null;
        }
        finally
        {
            // Reached with the file still there only when something failed: never keep a partial download.
            try { if (File.Exists(temporary)) File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Deletes a cached file that no longer verifies, so it is fetched again.</summary>
    public void Evict(MnistFile file)
    {
        try { File.Delete(PathOf(file)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Length and SHA-256 checks against the known values in <see cref="MnistFile"/>.</summary>
public static class MnistVerifier
{
    /// <summary>Null when <paramref name="path"/> is exactly <paramref name="file"/>; else what is wrong with it.</summary>
    public static string? Check(string path, MnistFile file)
    {
        var info = new FileInfo(path);
        // A symbolic link is measured by the file it points to, not by the link itself.
        if (info.LinkTarget is not null)
            info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        if (!info.Exists)
            return $"{path} does not exist";
        if (info.Length != file.Length)
            return $"{path} has {info.Length:N0} bytes; {file.Name} has {file.Length:N0}";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return CopyAndCheck(stream, Stream.Null, file, CancellationToken.None, path);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> while hashing it; null when it matched.</summary>
    public static string? CopyAndCheck(Stream source, Stream destination, MnistFile file, CancellationToken cancellationToken,
                                       string? what = null)
    {
        what ??= file.Name;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long total = 0;
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                total += read;
                // A source that sends more than the file can hold is wrong: stop before filling the disk.
                if (total > file.Length)
                    return $"{what} is longer than the {file.Length:N0} bytes of {file.Name}";
                hash.AppendData(buffer, 0, read);
                destination.Write(buffer, 0, read);
            }
            if (total != file.Length)
                return $"{what} has {total:N0} bytes; {file.Name} has {file.Length:N0} (truncated?)";
            string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            return actual == file.Sha256 ? null : $"{what} has SHA-256 {actual}; {file.Name} must have {file.Sha256}";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>
/// Finds the four files of an IDX data set in a directory: <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c> (plain or <c>.gz</c>),
/// or any other names that say the split (<c>train</c>; <c>t10k</c> or <c>test</c>), the kind (<c>images</c>,
/// <c>idx3</c>/<c>idx4</c>; <c>labels</c>, <c>idx1</c>) and <c>idx</c>, such as <c>emnist-letters-train-images-idx3-ubyte.gz</c>
/// or <c>train-images.idx3-ubyte</c>.
/// </summary>
public static class IdxDirectory
{
    /// <summary>The files of each role, by full path.</summary>
    public sealed record Files(IReadOnlyDictionary<IdxRole, string> Paths)
    {
        public string this[IdxRole role] => Paths[role];
    }

    /// <summary>
    /// The IDX files in <paramref name="directory"/>: null when there are none at all (so the directory may be
    /// something else); a <see cref="DataException"/> when some are there but the set is incomplete or ambiguous.
    /// <paramref name="roles"/> are the files needed (all four, or only the test files).
    /// </summary>
    public static Files? Find(string directory, IReadOnlyList<IdxRole> roles, Action<string> log)
    {
        var byRole = new Dictionary<IdxRole, List<string>>();
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
            if (RoleOf(Path.GetFileName(path)) is { } role)
                (byRole.TryGetValue(role, out var list) ? list : byRole[role] = []).Add(path);
        if (byRole.Count == 0)
            return null;

        var chosen = new Dictionary<IdxRole, string>();
        var missing = new List<IdxRole>();
        foreach (var role in roles)
        {
            if (!byRole.TryGetValue(role, out var candidates)) { missing.Add(role); continue; }
            chosen[role] = Choose(directory, role, candidates, log);
        }
        if (missing.Count > 0)
        {
            string found = string.Join(", ", byRole.SelectMany(r => r.Value).Select(Path.GetFileName));
            throw new DataException(
                $"--data {directory}: an incomplete IDX set: no {string.Join(", no ", missing.Select(Describe))} " +
                $"(found {found}). An IDX set needs {string.Join(", ", roles.Select(r => KnownDataset.Mnist.File(r).Name))} (plain or .gz) " +
                "or names that say train/test (or t10k), images/labels and idx.");
        }
        return new Files(chosen);
    }

    /// <summary>The role a file name stands for, or null for a file that is not an IDX file of a set.</summary>
    public static IdxRole? RoleOf(string fileName)
    {
        string name = fileName.ToLowerInvariant();
        if (name.EndsWith(".gz", StringComparison.Ordinal)) name = name[..^3];
        if (!name.Contains("idx", StringComparison.Ordinal)) return null;
        bool images = name.Contains("images", StringComparison.Ordinal) || name.Contains("idx3", StringComparison.Ordinal) ||
                      name.Contains("idx4", StringComparison.Ordinal);
        bool labels = name.Contains("labels", StringComparison.Ordinal) || name.Contains("idx1", StringComparison.Ordinal);
        bool train = name.Contains("train", StringComparison.Ordinal);
        bool test = name.Contains("t10k", StringComparison.Ordinal) || name.Contains("test", StringComparison.Ordinal);
        if (images == labels || train == test) return null;
        return (train, images) switch
        {
            (true, true) => IdxRole.TrainImages,
            (true, false) => IdxRole.TrainLabels,
            (false, true) => IdxRole.TestImages,
            _ => IdxRole.TestLabels,
        };
    }

    /// <summary>"train images file", "test labels file".</summary>
    public static string Describe(IdxRole role) => role switch
    {
        IdxRole.TrainImages => "train images file",
        IdxRole.TrainLabels => "train labels file",
        IdxRole.TestImages => "test images file",
        _ => "test labels file",
    };

    private static string Choose(string directory, IdxRole role, List<string> candidates, Action<string> log)
    {
        if (candidates.Count == 1) return candidates[0];
        // The same file plain and gzipped: read the plain one, and say so.
        if (candidates.Count == 2 && candidates[1] == candidates[0] + ".gz")
        {
            log($"--data: both {Path.GetFileName(candidates[0])} and {Path.GetFileName(candidates[1])}; reading {Path.GetFileName(candidates[0])}.");
            return candidates[0];
        }
        if (candidates.Count == 2 && candidates[0] == candidates[1] + ".gz")
        {
            log($"--data: both {Path.GetFileName(candidates[1])} and {Path.GetFileName(candidates[0])}; reading {Path.GetFileName(candidates[1])}.");
            return candidates[1];
        }
        throw new DataException(
            $"--data {directory}: more than one {Describe(role)}: {string.Join(", ", candidates.Select(Path.GetFileName))}. " +
            "Keep one IDX set per directory.");
    }
}

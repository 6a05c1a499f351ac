using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using CnnGen.Data;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>What to load, for <see cref="DataSource.Load"/>.</summary>
public sealed record DataSourceOptions
{
    /// <summary><c>--data DIR</c>: used as given or refused; null: MNIST through <see cref="MnistLocator"/>.</summary>
    public string? Directory { get; init; }
    /// <summary><c>--classes FILE</c>: one class name a line (IDX sets only).</summary>
    public string? ClassesFile { get; init; }
    /// <summary><c>--validation N</c>: N training samples, chosen by a split seeded with <see cref="Seed"/>, held out; 0 for none.</summary>
    public int Validation { get; init; }
    /// <summary>Seed of the validation split and of an image folder's train/test split.</summary>
    public ulong Seed { get; init; } = 42;
    /// <summary><c>--resize WxH</c>: scale image-folder images to this size (never applied to IDX sets).</summary>
    public (int Width, int Height)? Resize { get; init; }
    /// <summary><c>--grayscale</c>: make image-folder images one channel (never applied to IDX sets).</summary>
    public bool Grayscale { get; init; }
    /// <summary>Read only the test split (eval, predict): the training files are not read.</summary>
    public bool TestOnly { get; init; }
    /// <summary>Where MNIST is found without <see cref="Directory"/>; null: the defaults (environment, cache, fetch).</summary>
    public MnistLocatorOptions? Mnist { get; init; }
    /// <summary>Progress lines and warnings.</summary>
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>The data a command works on, what it is, and where it came from.</summary>
public sealed record LoadedData
{
    /// <summary>The training split (empty when loaded with <see cref="DataSourceOptions.TestOnly"/>).</summary>
    public required ImageDataset Train { get; init; }
    /// <summary>The held-out validation split (<c>--validation</c>), or null.</summary>
    public ImageDataset? Validation { get; init; }
    public required ImageDataset Test { get; init; }
    /// <summary>One name per class: label k is <c>ClassNames[k]</c>.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>Pixel normalization <c>(x/255 - Mean) / Std</c>: the known set's constants, else the training split's.</summary>
    public required float Mean { get; init; }
    public required float Std { get; init; }
    /// <summary>Where <see cref="Mean"/> and <see cref="Std"/> come from, e.g. "MNIST's constants".</summary>
    public required string NormalizationSource { get; init; }
    /// <summary>"MNIST", "Fashion-MNIST", "IDX set", "image set".</summary>
    public required string Name { get; init; }
    /// <summary>True when every file read matched a known set's SHA-256.</summary>
    public required bool Verified { get; init; }
    /// <summary>"verified: SHA-256 of all 4 files", "unverified: no known checksum", ...</summary>
    public required string Verification { get; init; }
    /// <summary>The directory, or where MNIST was located ("cache /home/me/.cache/cnngen/mnist").</summary>
    public required string Origin { get; init; }
    /// <summary>"IDX" or "image folders".</summary>
    public required string Format { get; init; }
    /// <summary>The image files, for messages: "train-images-idx3-ubyte.gz and t10k-images-idx3-ubyte.gz in /data".</summary>
    public required string ImageFiles { get; init; }
    /// <summary>The label files (or folders), for messages.</summary>
    public required string LabelFiles { get; init; }
    /// <summary>True for the MNIST digits: reports say "digits", otherwise "images".</summary>
    public bool IsDigits { get; init; }

    public PixelNormalization Normalization => PixelNormalization.Standardize(Mean, Std);

    /// <summary>"digits" for MNIST, else "images".</summary>
    public string Noun => IsDigits ? "digits" : "images";

    /// <summary>
    /// The line that names the data, e.g. <c>Data: Fashion-MNIST (verified: SHA-256 of all 4 files) from
    /// /usr/share/datasets/fashion-mnist: IDX, 60,000 train + 10,000 test images of 1x28x28, 10 classes</c>.
    /// </summary>
    public string Line => "Data: " + Description;

    /// <summary><see cref="Line"/> without its "Data: " prefix (stored in model files).</summary>
    public string Description
    {
        get
        {
            var parts = new List<string>();
            if (Train.Count > 0) parts.Add($"{Train.Count:N0} train");
            if (Validation is { } v) parts.Add($"{v.Count:N0} validation");
            parts.Add($"{Test.Count:N0} test");
            return string.Create(CultureInfo.InvariantCulture,
                $"{Name} ({Verification}) from {Origin}: {Format}, {string.Join(" + ", parts)} images of " +
                $"{Test.Channels}x{Test.Height}x{Test.Width}, {ClassNames.Count} classes");
        }
    }
}

/// <summary>
/// The one place the commands get their data. With <c>--data DIR</c> the directory is the user's choice: an IDX set
/// (plain or gzipped, read in place, never copied into the MNIST cache) or image class folders, used as given or refused
/// with a <see cref="DataException"/>; there is never a fallback to another source. Without it, MNIST is located
/// (<c>CNNGEN_MNIST_DIR</c>, the cache, a verified fetch) by <see cref="MnistLocator"/>.
/// </summary>
public static class DataSource
{
    private const ulong ValidationStream = 0x7A11D;
    private static readonly IdxRole[] AllRoles = [IdxRole.TrainImages, IdxRole.TrainLabels, IdxRole.TestImages, IdxRole.TestLabels];
    private static readonly IdxRole[] TestRoles = [IdxRole.TestImages, IdxRole.TestLabels];

    public static LoadedData Load(DataSourceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validation < 0)
            throw new DataException($"--validation {options.Validation}: must be 0 (none) or a positive number of training images.");
        var classNames = options.ClassesFile is { } classesFile ? ReadClassNames(classesFile) : null;
        LoadedData data;
        if (options.Directory is null)
        {
            RefuseFolderOptions(options, "MNIST (an IDX set)");
            data = LoadMnist(options, classNames, cancellationToken);
        }
        else
        {
            data = LoadDirectory(options, classNames, cancellationToken);
        }
        return options.Validation > 0 ? SplitValidation(data, options) : data;
    }

    /// <summary>
    /// A clear error unless <paramref name="data"/> fits <paramref name="net"/>: the image shape must be the network's
    /// input and the classes no more than its outputs. The message names the image files and both shapes.
    /// </summary>
    public static void CheckFits(LoadedData data, INetwork net)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(net);
        var t = data.Test;
        if (t.Channels != net.InputChannels || t.Height != net.InputHeight || t.Width != net.InputWidth)
        {
            string hint = data.Format == "IDX"
                ? ""
                : $" Use --resize {net.InputWidth}x{net.InputHeight}" + (t.Channels == 3 && net.InputChannels == 1 ? " and --grayscale" : "") + ".";
            throw new DataException(
                $"--data: {data.ImageFiles} hold images of {t.Channels}x{t.Height}x{t.Width} (channels x height x width); " +
                $"network {net.Name} takes {net.InputChannels}x{net.InputHeight}x{net.InputWidth}.{hint}");
        }
        if (data.ClassNames.Count > net.OutputSize)
            throw new DataException(
                $"--data: {data.LabelFiles} hold labels 0..{data.ClassNames.Count - 1} ({data.ClassNames.Count} classes); " +
                $"network {net.Name} has {net.OutputSize} outputs.");
    }

    // ----- MNIST without --data

    private static LoadedData LoadMnist(DataSourceOptions options, IReadOnlyList<string>? classNames, CancellationToken cancellationToken)
    {
        var locatorOptions = options.Mnist ?? MnistLocatorOptions.Default(null, options.Log);
        var location = MnistLocator.Locate(locatorOptions with { ExplicitDirectory = null }, cancellationToken);
        options.Log($"MNIST: {location.Origin}");
        var paths = new Dictionary<IdxRole, string>
        {
            [IdxRole.TrainImages] = location.TrainImages,
            [IdxRole.TrainLabels] = location.TrainLabels,
            [IdxRole.TestImages] = location.TestImages,
            [IdxRole.TestLabels] = location.TestLabels,
        };
        // Every file the locator returns has passed its SHA-256 (the four real ones, or test stand-ins): not hashed twice.
        return LoadIdx(new IdxDirectory.Files(paths), options, classNames, location.Origin, verifiedAs: KnownDataset.Mnist);
    }

    // ----- --data DIR

    private static LoadedData LoadDirectory(DataSourceOptions options, IReadOnlyList<string>? classNames, CancellationToken cancellationToken)
    {
        string directory = options.Directory!;
        if (!System.IO.Directory.Exists(directory))
            throw new DataException(File.Exists(directory)
                ? $"--data {directory} is a file; give the directory that holds the data set."
                : $"--data {directory}: directory does not exist.");
        string full = Path.GetFullPath(directory);
        IdxDirectory.Files? idx;
        try
        {
            idx = IdxDirectory.Find(directory, options.TestOnly ? TestRoles : AllRoles, options.Log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"--data {directory} cannot be listed: {e.Message}", e);
        }
        if (idx is not null)
        {
            RefuseFolderOptions(options, "an IDX set");
            return LoadIdx(idx, options, classNames, full, verifiedAs: null);
        }
        if (ImageFolderDataset.Looks(directory))
        {
            if (options.ClassesFile is { } classesFile)
                throw new DataException($"--classes {classesFile}: image folders are named by their class sub-folders; --classes is for IDX sets.");
            return LoadFolders(directory, full, options, cancellationToken);
        }
        bool empty = !System.IO.Directory.EnumerateFileSystemEntries(directory).Any();
        throw new DataException(empty
            ? $"--data {directory} is empty: put an IDX set there (train-images-idx3-ubyte, train-labels-idx1-ubyte, " +
              "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz) or image folders (one sub-folder per class, " +
              "or train/ and test/ with one sub-folder per class)."
            : $"--data {directory} holds neither an IDX set (train/t10k images and labels files, plain or .gz) nor image " +
              "folders (one sub-folder of images per class, or train/ and test/ with one sub-folder per class).");
    }

    private static LoadedData LoadFolders(string directory, string full, DataSourceOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = ImageFolderDataset.Load(directory, new ImageFolderOptions
        {
            Seed = options.Seed,
            Channels = options.Grayscale ? 1 : null,
            Size = options.Resize,
        }, cancellationToken);
        options.Log(folder.Description); // the reader's account: split, skipped files, conversions
        var (mean, std, source) = Statistics(folder.Train, folder.Test, options.TestOnly);
        return new LoadedData
        {
            Train = options.TestOnly ? folder.Train.Take(0) : folder.Train,
            Test = folder.Test,
            ClassNames = folder.ClassNames,
            Mean = mean,
            Std = std,
            NormalizationSource = source,
            Name = "image set",
            Verified = false,
            Verification = "unverified: no known checksum",
            Origin = full,
            Format = "image folders",
            ImageFiles = $"the images in {full}",
            LabelFiles = $"the class folders of {full}",
        };
    }

    /// <summary>--resize and --grayscale change image folders only; given with anything else they are an error, not ignored.</summary>
    private static void RefuseFolderOptions(DataSourceOptions options, string what)
    {
        if (options.Resize is { } size)
            throw new DataException($"--resize {size.Width}x{size.Height} applies to image folders; the data is {what}, which is used as stored.");
        if (options.Grayscale)
            throw new DataException($"--grayscale applies to image folders; the data is {what}, which is used as stored.");
    }

    // ----- IDX sets

    private sealed record IdxFile(IdxRole Role, string Path, IdxArray Array, string? Sha256);

    private static LoadedData LoadIdx(IdxDirectory.Files files, DataSourceOptions options, IReadOnlyList<string>? classNames,
                                      string origin, KnownDataset? verifiedAs)
    {
        var roles = options.TestOnly ? TestRoles : AllRoles;
        var read = new Dictionary<IdxRole, IdxFile>();
        foreach (var role in roles)
        {
            string path = files[role];
            IdxArray array;
            try
            {
                array = IdxReader.Read(path);
            }
            catch (IdxFormatException e)
            {
                throw new DataException(e.Message, e);
            }
            read[role] = new IdxFile(role, path, array, verifiedAs is null ? Sha256IfKnownLength(role, array) : null);
        }

        // Which known set is it? All files match: verified. Some match (or all have a known set's names and sizes): warn.
        var (known, verification, verified) = verifiedAs is not null
            ? (verifiedAs, Verified(roles), true)
            : Identify(read, roles, options.Log);

        // Labels: their count agrees with the images, and they are all below the class count.
        int maxLabel = -1;
        string? maxLabelFile = null;
        foreach (var role in roles.Where(r => r is IdxRole.TrainLabels or IdxRole.TestLabels))
        {
            byte[] labels;
            try { labels = IdxReader.Labels(read[role].Array, read[role].Path); }
            catch (IdxFormatException e) { throw new DataException(e.Message, e); }
            int max = labels.Length == 0 ? -1 : labels.Max();
            if (max > maxLabel) { maxLabel = max; maxLabelFile = read[role].Path; }
        }
        IReadOnlyList<string> names;
        if (classNames is not null)
        {
            if (known is not null && classNames.Count != known.ClassNames.Count)
                throw new DataException($"--classes {options.ClassesFile}: lists {classNames.Count} class names; {known.Name} has {known.ClassNames.Count} classes.");
            if (maxLabel >= classNames.Count)
                throw new DataException($"--classes {options.ClassesFile}: lists {classNames.Count} class names (labels 0..{classNames.Count - 1}) but {maxLabelFile} holds label {maxLabel}.");
            names = classNames;
        }
        else if (known is not null && maxLabel < known.ClassNames.Count)
        {
            names = known.ClassNames;
        }
        else
        {
            names = [.. Enumerable.Range(0, maxLabel + 1).Select(k => k.ToString(CultureInfo.InvariantCulture))];
        }

        ImageDataset Dataset(IdxRole images, IdxRole labels)
        {
            try
            {
                return ImageDataset.FromIdx(read[images].Array, read[images].Path, read[labels].Array, read[labels].Path, Math.Max(1, names.Count));
            }
            catch (IdxFormatException e)
            {
                throw new DataException(e.Message, e);
            }
        }
        var test = Dataset(IdxRole.TestImages, IdxRole.TestLabels);
        var train = options.TestOnly ? test.Take(0) : Dataset(IdxRole.TrainImages, IdxRole.TrainLabels);
        string imageFiles = options.TestOnly
            ? $"{Path.GetFileName(files[IdxRole.TestImages])} in {Path.GetDirectoryName(Path.GetFullPath(files[IdxRole.TestImages]))}"
            : $"{Path.GetFileName(files[IdxRole.TrainImages])} and {Path.GetFileName(files[IdxRole.TestImages])} in " +
              $"{Path.GetDirectoryName(Path.GetFullPath(files[IdxRole.TestImages]))}";
        string labelFiles = options.TestOnly
            ? Path.GetFileName(files[IdxRole.TestLabels])
            : $"{Path.GetFileName(files[IdxRole.TrainLabels])} and {Path.GetFileName(files[IdxRole.TestLabels])}";
        if (!options.TestOnly && (train.Channels, train.Height, train.Width) != (test.Channels, test.Height, test.Width))
            throw new DataException(
                $"--data: {files[IdxRole.TrainImages]} holds images of {train.Channels}x{train.Height}x{train.Width} but " +
                $"{files[IdxRole.TestImages]} holds {test.Channels}x{test.Height}x{test.Width}; both splits must have one image size.");

        bool useKnownConstants = known is not null && verified;
        var (mean, std, source) = useKnownConstants
            ? (known!.Mean, known.Std, $"{known.Name}'s constants")
            : Statistics(train, test, options.TestOnly);
        return new LoadedData
        {
            Train = train,
            Test = test,
            ClassNames = names,
            Mean = mean,
            Std = std,
            NormalizationSource = source,
            Name = known is null ? "IDX set" : verified ? known.Name : $"IDX set resembling {known.Name}",
            Verified = verified,
            Verification = verification,
            Origin = origin,
            Format = "IDX",
            ImageFiles = imageFiles,
            LabelFiles = labelFiles,
            IsDigits = verified && known is { IsDigits: true },
        };
    }

    private static string Verified(IdxRole[] roles) =>
        roles.Length == AllRoles.Length ? $"verified: SHA-256 of all {roles.Length} files" : $"verified: SHA-256 of the {roles.Length} test files";

    /// <summary>The SHA-256 of the uncompressed file, when its length is that of some known set's file of this role.</summary>
    private static string? Sha256IfKnownLength(IdxRole role, IdxArray array)
    {
        byte[] header = IdxReader.Header(array);
        long length = header.Length + (long)array.Data.Length;
        if (!KnownDataset.All.Any(k => k.File(role).Length == length)) return null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header);
        hash.AppendData(array.Data);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static (KnownDataset? Known, string Verification, bool Verified) Identify(
        Dictionary<IdxRole, IdxFile> read, IdxRole[] roles, Action<string> log)
    {
        foreach (var known in KnownDataset.All)
        {
            int matching = roles.Count(r => read[r].Sha256 == known.File(r).Sha256);
            if (matching == roles.Length)
                return (known, Verified(roles), true);
        }
        // The set with the most matching files; failing any, one whose names and sizes all match (a modified copy).
        int Matching(KnownDataset known) => roles.Count(r => read[r].Sha256 == known.File(r).Sha256);
        bool LookAlike(KnownDataset known) =>
            roles.All(r => read[r].Sha256 is not null && Path.GetFileName(read[r].Path).StartsWith(known.File(r).Name, StringComparison.Ordinal));
        var best = KnownDataset.All.MaxBy(Matching)!;
        var resembled = Matching(best) > 0 ? best : KnownDataset.All.FirstOrDefault(LookAlike);
        if (resembled is not null)
        {
            foreach (var role in roles.Where(r => read[r].Sha256 != resembled.File(r).Sha256))
                log($"warning: {read[role].Path} has SHA-256 {read[role].Sha256 ?? "(not computed: its size differs)"}; " +
                    $"{resembled.Name}'s {resembled.File(role).Name} has {resembled.File(role).Sha256}. Using it unverified.");
            return (resembled, $"NOT verified: {Matching(resembled)} of {roles.Length} files match {resembled.Name}'s SHA-256", false);
        }
        return (null, "unverified: no known checksum", false);
    }

    /// <summary>Mean and std of the training split (of the test split when only it was read).</summary>
    private static (float Mean, float Std, string Source) Statistics(ImageDataset train, ImageDataset test, bool testOnly)
    {
        var from = testOnly || train.Count == 0 ? test : train;
        var (mean, std) = from.ComputeMeanStd();
        string source = $"computed on the {from.Count:N0} {(from == test ? "test" : "training")} images";
        if (!(std > 1e-6))
            return ((float)mean, 1f, source + " (all pixels equal: std 1 used)");
        return ((float)mean, (float)std, source);
    }

    // ----- --validation N

    private static LoadedData SplitValidation(LoadedData data, DataSourceOptions options)
    {
        int n = options.Validation;
        if (options.TestOnly) return data;
        if (n >= data.Train.Count)
            throw new DataException($"--validation {n}: the training set has only {data.Train.Count:N0} images; at least one must be left to train on.");
        int[] order = Shuffling.Permutation(data.Train.Count, Rng.Derive(options.Seed, ValidationStream));
        int[] validation = order[..n];
        int[] rest = order[n..];
        Array.Sort(validation);
        Array.Sort(rest); // training keeps the file's order; the trainer shuffles every epoch
        var train = data.Train.Subset(rest);
        var held = data.Train.Subset(validation);
        if (data.Verified)
            return data with { Train = train, Validation = held };
        // Unknown sets are normalized with the training split's statistics: the split that remains.
        var (mean, std, source) = Statistics(train, data.Test, testOnly: false);
        return data with { Train = train, Validation = held, Mean = mean, Std = std, NormalizationSource = source };
    }

    // ----- --classes FILE

    /// <summary>One class name a line; trailing empty lines are ignored, empty or repeated names are errors naming the file.</summary>
    public static IReadOnlyList<string> ReadClassNames(string path)
    {
        string[] lines;
        try
        {
            if (System.IO.Directory.Exists(path))
                throw new DataException($"--classes {path} is a directory; give a text file with one class name a line.");
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException(File.Exists(path)
                ? $"--classes {path} cannot be read: {e.Message}"
                : $"--classes {path}: file does not exist.", e);
        }
        int count = lines.Length;
        while (count > 0 && lines[count - 1].Trim().Length == 0) count--;
        if (count == 0)
            throw new DataException($"--classes {path} is empty; it needs one class name a line (line k names label k-1).");
        if (count > 256)
            throw new DataException($"--classes {path} lists {count} classes; byte labels allow at most 256.");
        var names = new List<string>(count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = lines[i].Trim();
            if (name.Length == 0)
                throw new DataException($"--classes {path}: line {i + 1} is empty; every class needs a name.");
            if (!seen.TryAdd(name, i + 1))
                throw new DataException($"--classes {path}: '{name}' is on line {seen[name]} and line {i + 1}; class names must differ.");
            names.Add(name);
        }
        return names;
    }
}

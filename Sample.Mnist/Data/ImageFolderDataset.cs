using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Data;
using SkiaSharp;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>How <see cref="ImageFolderDataset.Load"/> turns image folders into a data set.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Seed of the train/test split of a single tree (not used with train/ and test/ folders).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Single tree only: the share of each class held out as test (seeded, stratified per class), in (0, 1).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>
    /// null: inferred from the file headers, 1 if every image is stored as grayscale, else 3.
    /// 1: colour is converted to luminance. 3: gray is replicated to R, G and B.
    /// </summary>
    public int? Channels { get; init; }

    /// <summary>null: every image must have the size of the first; else each image is scaled to exactly this size.</summary>
    public (int Width, int Height)? Size { get; init; }
}

/// <summary>A loaded image-folder data set: both parts share one pixel array; labels index <see cref="ClassNames"/>.</summary>
public sealed record ImageFolderData(ImageDataset Train, ImageDataset Test, IReadOnlyList<string> ClassNames, string Description);

/// <summary>
/// Labelled images from folders, as torchvision's <c>ImageFolder</c>: either <c>DIR/train/&lt;class&gt;/…</c> with
/// <c>DIR/test/&lt;class&gt;/…</c>, or a single tree <c>DIR/&lt;class&gt;/…</c> split into train and test by a seeded split,
/// stratified per class.
/// <list type="bullet">
/// <item>Classes are the class folder names in ordinal order (label = index), at most 256. Images are the files
/// ending in .png, .jpg, .jpeg, .bmp, .gif or .webp (any case), in the class folder or folders below it, ordered by
/// ordinal relative path. Names starting with '.' (files and folders) are skipped. Other files are skipped too, and
/// counted (with examples) in the description; an image file that does not decode is always an error.</item>
/// <item>With train/ and test/, every other top-level folder (val/, valid/, ...) is ignored and named in the
/// description; the class folders of test must be exactly those of train.</item>
/// <item>Decoding is SkiaSharp's, first frame only, without colour management and without applying EXIF orientation
/// (as PIL does). Transparency is composited over black (the colour is multiplied by alpha). Gray is luminance by
/// the ITU-R BT.601 weights in PIL's fixed point: <c>L = (19595 R + 38470 G + 7471 B + 32768) &gt;&gt; 16</c>, i.e.
/// 0.299 R + 0.587 G + 0.114 B rounded. RGB is stored planar: all R, then all G, then all B.</item>
/// <item>Resizing (when <see cref="ImageFolderOptions.Size"/> is set) stretches to exactly that size: halving with
/// a linear filter while at least twice too large, then a Mitchell cubic.</item>
/// <item>Samples are ordered so that any prefix is nearly stratified (each class's images are spread over the
/// data set in proportion to their count), because the CLI's limits take a prefix.</item>
/// </list>
/// Every problem is a <see cref="DataException"/> naming the file or folder; cancellation is an
/// <see cref="OperationCanceledException"/>.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>At most this many classes: labels are bytes.</summary>
    public const int MaxClasses = 256;

    /// <summary>The file extensions read as images.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    private const int MaxSide = 16384;
    private const long MaxPixelsPerImage = 1L << 26;
    private const int MaxDepth = 32;
    private static readonly string[] SplitNames = ["train", "test"];
    private static readonly string[] ValidationNames = ["val", "valid", "validation"];

    /// <summary>
    /// Whether <paramref name="directory"/> looks like image folders: it has train/ or test/ holding folders, or a
    /// folder holding an image file. Never throws; <see cref="Load"/> says what is wrong with a near miss.
    /// </summary>
    public static bool Looks(string directory)
    {
        try
        {
            if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory)) return false;
            var folders = VisibleDirectories(directory);
            foreach (string folder in folders)
                if (SplitNames.Contains(Path.GetFileName(folder), StringComparer.OrdinalIgnoreCase) && VisibleDirectories(folder).Length > 0)
                    return true;
            foreach (string folder in folders)
                if (Directory.EnumerateFiles(folder).Any(f => !IsHidden(f) && IsImageName(f)))
                    return true;
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Loads the images under <paramref name="directory"/>; see the class summary for the rules.</summary>
    public static ImageFolderData Load(string directory, ImageFolderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        CheckOptions(options);
        try
        {
            return LoadChecked(directory, options, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new DataException($"{directory}: cannot read the image folders: {OneLine(e.Message)}", e);
        }
    }

    private static void CheckOptions(ImageFolderOptions options)
    {
        if (options.Channels is { } c && c is not (1 or 3))
            throw new DataException($"Image folders: {c} channels asked for; use 1 (gray) or 3 (RGB), or leave it out to infer.");
        if (options.Size is { } s && (s.Width < 1 || s.Height < 1 || s.Width > 4096 || s.Height > 4096))
            throw new DataException($"Image folders: resize to {s.Width}x{s.Height} is not possible; each side must be 1 to 4096.");
    }

    private sealed record ClassFolder(string Name, string Path, List<string> Files, List<string> Relative);

    private sealed record Layout(List<ClassFolder> Train, List<ClassFolder>? Test, List<string> Notes);

    /// <summary>One image to load: where it is, its label and where its pixels go.</summary>
    private struct Entry
    {
        public string Path;
        public byte Label;
        public int Slot;
        public int Width, Height;
        public bool Gray;
    }

    private static ImageFolderData LoadChecked(string directory, ImageFolderOptions options, CancellationToken cancellationToken)
    {
        if (File.Exists(directory))
            throw new DataException($"{directory} is a file; give a folder of class folders (DIR/<class>/<images>) or one with train/ and test/.");
        if (!Directory.Exists(directory))
            throw new DataException($"{directory}: no such directory.");

        var skipped = new Skipped(directory);
        Layout layout = FindLayout(directory, skipped, cancellationToken);
        List<string> classNames = layout.Train.Select(c => c.Name).ToList();

        // Entries in reading order: class by class, each in ordinal path order (train/ before test/). Errors name the
        // first bad file in this order, and "the first image" of the size check is the first entry.
        var list = new List<Entry>();
        var trainGroups = new List<List<int>>();
        var testGroups = new List<List<int>>();
        void Add(string path, int label, List<int> group)
        {
            group.Add(list.Count);
            list.Add(new Entry { Path = path, Label = (byte)label });
        }
        string splitText;
        if (layout.Test is { } testFolders)
        {
            for (int c = 0; c < layout.Train.Count; c++)
            {
                trainGroups.Add([]);
                foreach (string file in layout.Train[c].Files) Add(file, c, trainGroups[c]);
            }
            for (int c = 0; c < testFolders.Count; c++)
            {
                testGroups.Add([]);
                foreach (string file in testFolders[c].Files) Add(file, c, testGroups[c]);
            }
            splitText = "train/ and test/ folders";
        }
        else
        {
            List<bool[]> heldOut = Split(layout.Train, options);
            for (int c = 0; c < layout.Train.Count; c++)
            {
                trainGroups.Add([]);
                testGroups.Add([]);
                for (int j = 0; j < layout.Train[c].Files.Count; j++)
                    Add(layout.Train[c].Files[j], c, heldOut[c][j] ? testGroups[c] : trainGroups[c]);
            }
            splitText = string.Create(CultureInfo.InvariantCulture,
                $"split {(1 - options.TestFraction) * 100:0.##}/{options.TestFraction * 100:0.##}, seed {options.Seed}");
        }
        Entry[] entries = [.. list];
        int trainCount = trainGroups.Sum(g => g.Count), testCount = testGroups.Sum(g => g.Count);
        AssignSlots(trainGroups, entries, slotBase: 0);
        AssignSlots(testGroups, entries, slotBase: trainCount);

        // Pass 1, headers only: every file must decode as an image; sizes and colour types.
        ForEachFile(entries, cancellationToken, i => ReadHeader(ref entries[i]));
        int width, height;
        if (options.Size is { } size) (width, height) = size;
        else
        {
            (width, height) = (entries[0].Width, entries[0].Height);
            for (int i = 1; i < entries.Length; i++)
                if (entries[i].Width != width || entries[i].Height != height)
                    throw new DataException($"{entries[i].Path}: {entries[i].Width}x{entries[i].Height} differs from {width}x{height} of the first image {entries[0].Path}; images must all have one size, or pass --resize WxH to scale them.");
        }
        int channels = options.Channels ?? (entries.All(e => e.Gray) ? 1 : 3);
        long sampleSize = (long)channels * height * width;
        long total = sampleSize * entries.Length;
        if (total > Array.MaxLength)
            throw new DataException(string.Create(CultureInfo.InvariantCulture,
                $"{directory}: {entries.Length:N0} images of {channels}x{height}x{width} need {total:N0} bytes, more than one array holds ({Array.MaxLength:N0}); pass --resize WxH with a smaller size."));

        // Pass 2: decode into the one pixel array.
        var pixels = new byte[total];
        var labels = new byte[entries.Length];
        foreach (var e in entries) labels[e.Slot] = e.Label;
        int resized = 0, transparent = 0;
        ForEachFile(entries, cancellationToken, i =>
        {
            var (wasResized, hadAlpha) = Decode(entries[i], width, height, channels, pixels.AsSpan((int)(entries[i].Slot * sampleSize), (int)sampleSize));
            if (wasResized) Interlocked.Increment(ref resized);
            if (hadAlpha) Interlocked.Increment(ref transparent);
        });

        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        if (name.Length == 0) name = directory;
        var all = new ImageDataset(pixels, labels, channels, height, width, classNames.Count, name);
        var train = all.Slice(0, trainCount);
        var test = all.Slice(trainCount, testCount);

        var notes = new List<string>();
        if (resized > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"resized {resized:N0} images to {width}x{height} (WxH)"));
        int colour = entries.Count(e => !e.Gray), gray = entries.Length - colour;
        if (channels == 1 && colour > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"converted {colour:N0} colour images to gray (BT.601 luminance)"));
        if (channels == 3 && gray > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"{(colour == 0 ? "all" : gray.ToString("N0", CultureInfo.InvariantCulture))} gray images replicated to RGB"));
        if (transparent > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"transparency of {transparent:N0} images composited over black"));
        notes.AddRange(layout.Notes);
        if (skipped.Text() is { } skippedText) notes.Add(skippedText);

        var description = new StringBuilder();
        description.Append(CultureInfo.InvariantCulture, $"image folders {directory}: {trainCount:N0} train + {testCount:N0} test images ({splitText}) of {channels}x{height}x{width}, ");
        description.Append(CultureInfo.InvariantCulture, $"{classNames.Count} {(classNames.Count == 1 ? "class" : "classes")} (");
        description.Append(string.Join(", ", classNames.Take(8)));
        if (classNames.Count > 8) description.Append(", ...");
        description.Append(')');
        foreach (string note in notes) description.Append("; ").Append(note);
        return new ImageFolderData(train, test, classNames, description.ToString());
    }

    // ---- layout ----

    private static Layout FindLayout(string directory, Skipped skipped, CancellationToken cancellationToken)
    {
        string[] folders = VisibleDirectories(directory);
        string? Named(string wanted)
        {
            var matches = folders.Where(f => string.Equals(Path.GetFileName(f), wanted, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (matches.Length > 1)
                throw new DataException($"{directory}: both {string.Join(" and ", matches.Select(m => Path.GetFileName(m) + "/"))} exist; keep one.");
            return matches.Length == 1 ? matches[0] : null;
        }
        string? trainFolder = Named("train"), testFolder = Named("test");
        var notes = new List<string>();

        if (trainFolder is null && testFolder is null)
        {
            CountLooseFiles(directory, skipped);
            var classes = ClassFolders(directory, skipped, cancellationToken);
            return new Layout(classes, null, notes);
        }
        string? validation = ValidationNames.Select(Named).FirstOrDefault(f => f is not null);
        if (trainFolder is null)
            throw new DataException($"{directory}: has test/ but no train/ folder; add {Path.Combine(directory, "train")}/<class>/<images>.");
        if (testFolder is null)
            throw new DataException(validation is null
                ? $"{directory}: has train/ but no test/ folder; add {Path.Combine(directory, "test")}/<class>/<images>, or give {trainFolder} to split it."
                : $"{directory}: has train/ and {Path.GetFileName(validation)}/ but no test/ folder; rename {Path.GetFileName(validation)}/ to test/ to use it as the test set.");

        var ignored = folders.Where(f => f != trainFolder && f != testFolder).Select(f => Path.GetFileName(f) + "/").ToList();
        if (ignored.Count > 0) notes.Add($"ignored folder{(ignored.Count == 1 ? "" : "s")} {string.Join(", ", ignored)}");
        CountLooseFiles(directory, skipped);
        CountLooseFiles(trainFolder, skipped);
        CountLooseFiles(testFolder, skipped);
        var train = ClassFolders(trainFolder, skipped, cancellationToken);
        var test = ClassFolders(testFolder, skipped, cancellationToken);
        var trainNames = train.Select(c => c.Name).ToList();
        var testNames = test.Select(c => c.Name).ToList();
        if (!trainNames.SequenceEqual(testNames, StringComparer.Ordinal))
        {
            var missing = trainNames.Except(testNames, StringComparer.Ordinal).ToList();
            var extra = testNames.Except(trainNames, StringComparer.Ordinal).ToList();
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{testFolder} lacks {Classes(missing)} of train");
            if (extra.Count > 0) parts.Add($"{testFolder} has {Classes(extra)} that train lacks");
            throw new DataException($"{directory}: train and test class folders differ: {string.Join("; ", parts)}.");
        }
        return new Layout(train, test, notes);
    }

    private static string Classes(List<string> names) =>
        (names.Count == 1 ? "class folder " : "class folders ") + string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : "");

    /// <summary>The class folders of <paramref name="root"/>, ordinal by name, each with its images.</summary>
    private static List<ClassFolder> ClassFolders(string root, Skipped skipped, CancellationToken cancellationToken)
    {
        string[] folders = VisibleDirectories(root);
        if (folders.Length == 0)
        {
            int images = Directory.EnumerateFiles(root).Count(f => !IsHidden(f) && IsImageName(f));
            throw new DataException(images > 0
                ? $"{root}: has {images} images but no class folders; put each class's images in its own folder {Path.Combine(root, "<class>")}/."
                : $"{root}: no class folders (expected {Path.Combine(root, "<class>")}/<images>, or train/ and test/ folders of them).");
        }
        if (folders.Length > MaxClasses)
            throw new DataException($"{root}: has {folders.Length} class folders; at most {MaxClasses} classes are supported (labels are bytes).");
        var classes = new List<ClassFolder>(folders.Length);
        foreach (string folder in folders)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var found = new List<(string Relative, string Full)>();
            int skippedBefore = skipped.Count;
            Collect(folder, "", found, skipped, 0);
            if (found.Count == 0)
            {
                int others = skipped.Count - skippedBefore;
                throw new DataException($"{folder}: class folder has no images ({string.Join(", ", Extensions)}){(others > 0 ? $"; it has {others} other file{(others == 1 ? "" : "s")}" : "")}.");
            }
            found.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
            classes.Add(new ClassFolder(Path.GetFileName(folder), folder, found.Select(f => f.Full).ToList(), found.Select(f => f.Relative).ToList()));
        }
        return classes;
    }

    private static void Collect(string folder, string relative, List<(string, string)> found, Skipped skipped, int depth)
    {
        if (depth > MaxDepth)
            throw new DataException($"{folder}: folders nested more than {MaxDepth} deep (a symbolic link loop?).");
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            if (IsHidden(file)) continue;
            string rel = relative.Length == 0 ? Path.GetFileName(file) : relative + "/" + Path.GetFileName(file);
            if (IsImageName(file)) found.Add((rel, file));
            else skipped.Add(file);
        }
        foreach (string sub in VisibleDirectories(folder))
            Collect(sub, relative.Length == 0 ? Path.GetFileName(sub) : relative + "/" + Path.GetFileName(sub), found, skipped, depth + 1);
    }

    private static void CountLooseFiles(string folder, Skipped skipped)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
            if (!IsHidden(file)) skipped.Add(file);
    }

    private static string[] VisibleDirectories(string folder)
    {
        var result = Directory.EnumerateDirectories(folder).Where(d => !IsHidden(d)).ToArray();
        Array.Sort(result, (a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
        return result;
    }

    private static bool IsHidden(string path) => Path.GetFileName(path).StartsWith('.');

    private static bool IsImageName(string path)
    {
        string extension = Path.GetExtension(path);
        foreach (string e in Extensions)
            if (string.Equals(e, extension, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Files that are not images by name: counted, a few named, for the description.</summary>
    private sealed class Skipped(string root)
    {
        private readonly List<string> _examples = [];
        public int Count { get; private set; }

        public void Add(string path)
        {
            Count++;
            if (_examples.Count < 3) _examples.Add(Path.GetRelativePath(root, path).Replace('\\', '/'));
        }

        public string? Text() => Count == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"skipped {Count:N0} non-image file{(Count == 1 ? "" : "s")} (e.g. {string.Join(", ", _examples)}{(Count > _examples.Count ? ", ..." : "")})");
    }

    // ---- split and order ----

    /// <summary>
    /// Holds out max(1, round(n x fraction)) images of each class as test: those whose hash of (seed, relative path)
    /// is lowest, so the same seed gives the same split and adding an image hardly changes the others.
    /// </summary>
    private static List<bool[]> Split(List<ClassFolder> classes, ImageFolderOptions options)
    {
        double fraction = options.TestFraction;
        if (!(fraction > 0 && fraction < 1))
            throw new DataException($"Image folders: test fraction {fraction.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1 (exclusive) to split a single tree into train and test.");
        var result = new List<bool[]>(classes.Count);
        foreach (var c in classes)
        {
            int n = c.Files.Count;
            int held = Math.Max(1, (int)Math.Round(n * fraction, MidpointRounding.AwayFromZero));
            if (held >= n)
                throw new DataException(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Path}: class '{c.Name}' has {n} image{(n == 1 ? "" : "s")}; holding out {held} as test ({fraction * 100:0.##}%) leaves none for training; add images or lower the test fraction."));
            var order = Enumerable.Range(0, n)
                .Select(i => (Index: i, Key: Rng.Mix(options.Seed ^ Fnv1a(c.Relative[i]))))
                .OrderBy(x => x.Key).ThenBy(x => x.Index)
                .ToArray();
            var isTest = new bool[n];
            for (int k = 0; k < held; k++) isTest[order[k].Index] = true;
            result.Add(isTest);
        }
        return result;
    }

    private static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <summary>
    /// Gives each entry of <paramref name="groups"/> (entry indices per class, in path order) its slot in the data
    /// set: image j of a class of n sits at (j + 1/2) / n of the way through, ties by class, so classes interleave.
    /// </summary>
    private static void AssignSlots(List<List<int>> groups, Entry[] entries, int slotBase)
    {
        var order = new List<(int Class, int Index)>();
        for (int c = 0; c < groups.Count; c++)
            for (int j = 0; j < groups[c].Count; j++) order.Add((c, j));
        order.Sort((a, b) =>
        {
            int cmp = ((2L * a.Index + 1) * groups[b.Class].Count).CompareTo((2L * b.Index + 1) * groups[a.Class].Count);
            return cmp != 0 ? cmp : a.Class.CompareTo(b.Class);
        });
        for (int s = 0; s < order.Count; s++)
            entries[groups[order[s].Class][order[s].Index]].Slot = slotBase + s;
    }

    // ---- decoding ----

    /// <summary>
    /// Runs <paramref name="body"/> for every entry in parallel. Of the files that fail, the first in entry order is
    /// reported (Break lets every earlier iteration finish), so the error does not depend on thread timing.
    /// </summary>
    private static void ForEachFile(Entry[] entries, CancellationToken cancellationToken, Action<int> body)
    {
        var errors = new DataException?[entries.Length];
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, entries.Length, parallel, (i, state) =>
        {
            if (cancellationToken.IsCancellationRequested) return;
            if (state.LowestBreakIteration is long lowest && lowest < i) return;
            try
            {
                body(i);
            }
            catch (DataException e)
            {
                errors[i] = e;
                state.Break();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors[i] = new DataException($"{entries[i].Path}: cannot be decoded: {OneLine(e.Message)}", e);
                state.Break();
            }
        });
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var error in errors)
            if (error is not null) throw error;
    }

    private static void ReadHeader(ref Entry entry)
    {
        string path = entry.Path;
        FileStream stream;
        try { stream = File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataException($"{path}: cannot read: {OneLine(e.Message)}", e); }
        using (stream)
        {
            if (stream.Length == 0) throw new DataException($"{path}: the file is empty (0 bytes), not an image.");
            using var codec = SKCodec.Create(stream, out SKCodecResult result)
                ?? throw new DataException($"{path}: does not decode as an image ({Explain(result)}).");
            SKImageInfo info = codec.Info;
            CheckDimensions(path, info.Width, info.Height);
            entry.Width = info.Width;
            entry.Height = info.Height;
            entry.Gray = info.ColorType == SKColorType.Gray8;
        }
    }

    private static void CheckDimensions(string path, int width, int height)
    {
        if (width < 1 || height < 1)
            throw new DataException($"{path}: the image is empty ({width}x{height}).");
        if (width > MaxSide || height > MaxSide || (long)width * height > MaxPixelsPerImage)
            throw new DataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {width}x{height} is too large (at most {MaxSide} per side and {MaxPixelsPerImage:N0} pixels)."));
    }

    /// <summary>Decodes one file into <paramref name="destination"/> (channels x height x width bytes).</summary>
    private static (bool Resized, bool HadAlpha) Decode(Entry entry, int width, int height, int channels, Span<byte> destination)
    {
        string path = entry.Path;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataException($"{path}: cannot read: {OneLine(e.Message)}", e); }
        using var codec = SKCodec.Create(new SKMemoryStream(bytes), out SKCodecResult created)
            ?? throw new DataException($"{path}: does not decode as an image ({Explain(created)}).");
        SKImageInfo info = codec.Info;
        if (info.Width != entry.Width || info.Height != entry.Height)
            throw new DataException($"{path}: changed while loading (was {entry.Width}x{entry.Height}, now {info.Width}x{info.Height}).");
        // No colour space: the stored values as they are. Premultiplied: colour composited over black.
        using var decoded = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKCodecResult result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new DataException($"{path}: does not decode ({Explain(result)}).");

        bool resize = info.Width != width || info.Height != height;
        SKBitmap? scaled = resize ? Scale(decoded, width, height, path) : null;
        try
        {
            return (resize, Store(scaled ?? decoded, channels, destination));
        }
        finally
        {
            scaled?.Dispose();
        }
    }

    private static SKBitmap Scale(SKBitmap source, int width, int height, string path)
    {
        SKBitmap? owned = null;
        try
        {
            SKBitmap current = source;
            while (current.Width >= 2 * width || current.Height >= 2 * height)
            {
                int w = current.Width >= 2 * width ? current.Width / 2 : current.Width;
                int h = current.Height >= 2 * height ? current.Height / 2 : current.Height;
                SKBitmap half = Resized(current, w, h, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), path);
                owned?.Dispose();
                owned = current = half;
            }
            return Resized(current, width, height, new SKSamplingOptions(SKCubicResampler.Mitchell), path);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static SKBitmap Resized(SKBitmap source, int width, int height, SKSamplingOptions sampling, string path)
    {
        if (source.Width == width && source.Height == height) return source.Copy() ?? throw new DataException($"{path}: cannot copy a {width}x{height} image.");
        return source.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), sampling)
            ?? throw new DataException($"{path}: cannot scale {source.Width}x{source.Height} to {width}x{height}.");
    }

    /// <summary>Writes premultiplied RGBA as planar RGB or as luminance; says whether any pixel was not opaque.</summary>
    private static bool Store(SKBitmap bitmap, int channels, Span<byte> destination)
    {
        int width = bitmap.Width, height = bitmap.Height, rowBytes = bitmap.RowBytes, plane = width * height;
        ReadOnlySpan<byte> source = bitmap.GetPixelSpan();
        bool alpha = false;
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = source.Slice(y * rowBytes, width * 4);
            int o = y * width;
            for (int x = 0; x < width; x++)
            {
                byte r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2];
                alpha |= row[4 * x + 3] != 255;
                if (channels == 1)
                    destination[o + x] = (byte)((r * 19595 + g * 38470 + b * 7471 + 32768) >> 16);
                else
                {
                    destination[o + x] = r;
                    destination[plane + o + x] = g;
                    destination[2 * plane + o + x] = b;
                }
            }
        }
        return alpha;
    }

    private static string Explain(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the data ends early: the file is truncated",
        SKCodecResult.ErrorInInput => "the image data is damaged",
        SKCodecResult.InvalidInput or SKCodecResult.Unimplemented => "not a PNG, JPEG, BMP, GIF or WebP image SkiaSharp reads, or damaged",
        SKCodecResult.InvalidConversion => "its pixel format cannot be converted to RGBA",
        _ => $"SkiaSharp says {result}",
    };

    private static string OneLine(string text) =>
        string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

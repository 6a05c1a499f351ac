using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Data;
using SkiaSharp;
using Xunit;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// Image folders (torchvision ImageFolder layout) as a data set: PNG and JPEG files written with SkiaSharp into a
/// temporary folder, loaded, and checked pixel by pixel; and every kind of bad input, whose error must name the file.
/// </summary>
public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnngen-imagefolder-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    // ---- image writers ----

    /// <summary>A gray 8 x 8 pattern whose first pixel is 7 x id, so the image can be told apart after loading.</summary>
    private static byte[] GrayPattern(int id, int width = 8, int height = 8)
    {
        var gray = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                gray[y * width + x] = (byte)((id * 7 + x * 3 + y * 11) & 255);
        return gray;
    }

    /// <summary>RGBA (unpremultiplied) pattern: R from x, G from y, B the id.</summary>
    private static byte[] RgbPattern(int id, int width = 8, int height = 8)
    {
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = 4 * (y * width + x);
                rgba[p] = (byte)(x * 30 + 5);
                rgba[p + 1] = (byte)(y * 29 + 3);
                rgba[p + 2] = (byte)(id * 9 + x);
                rgba[p + 3] = 255;
            }
        return rgba;
    }

    private string Write(string relative, byte[] pixels, int width, int height, bool gray, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var info = gray
            ? new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        Assert.Equal(width * info.BytesPerPixel, bitmap.RowBytes);
        Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private string Gray(string relative, int id, int width = 8, int height = 8) => Write(relative, GrayPattern(id, width, height), width, height, gray: true);

    private string Rgb(string relative, int id, int width = 8, int height = 8) => Write(relative, RgbPattern(id, width, height), width, height, gray: false);

    private string Text(string relative, string content)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private ImageFolderData Load(ImageFolderOptions? options = null, string? directory = null) =>
        ImageFolderDataset.Load(directory ?? _root, options ?? new ImageFolderOptions());

    private DataException LoadFails(ImageFolderOptions? options = null, string? directory = null) =>
        Assert.Throws<DataException>(() => Load(options, directory));

    private static IEnumerable<(byte[] Pixels, int Label)> Samples(ImageDataset data) =>
        Enumerable.Range(0, data.Count).Select(i => (data.Pixels(i).ToArray(), data.Label(i)));

    /// <summary>The planar C,H,W bytes expected for an RGBA pattern.</summary>
    private static byte[] Planar(byte[] rgba, int width = 8, int height = 8)
    {
        int plane = width * height;
        var result = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
                result[c * plane + i] = rgba[4 * i + c];
        return result;
    }

    private static byte Luma(int r, int g, int b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 32768) >> 16);

    // ---- loading ----

    [Fact]
    public void A_single_tree_gives_ordinal_class_names_labels_and_exact_gray_pixels()
    {
        // Ordinal order: "C" < "a_cat" < "b_dog". Ids: class c, image i -> 5c + i.
        string[] classes = ["b_dog", "a_cat", "C"];
        string[] ordinal = ["C", "a_cat", "b_dog"];
        foreach (string name in classes)
            for (int i = 0; i < 5; i++)
                Gray($"{name}/img{i}.png", 5 * Array.IndexOf(ordinal, name) + i);
        Text("a_cat/notes.txt", "not an image");
        Text(".hidden/x.txt", "skipped");
        Gray(".hidden/0.png", 30);
        Text("a_cat/.DS_Store", "skipped silently");

        var data = Load();

        Assert.Equal(ordinal, data.ClassNames);
        Assert.Equal((1, 8, 8), (data.Train.Channels, data.Train.Height, data.Train.Width));
        Assert.Equal(3, data.Train.ClassCount);
        Assert.Equal(12, data.Train.Count); // 4 per class
        Assert.Equal(3, data.Test.Count);   // round(5 x 0.2) = 1 per class
        var seen = new HashSet<int>();
        foreach (var (pixels, label) in Samples(data.Train).Concat(Samples(data.Test)))
        {
            int id = pixels[0] / 7;
            Assert.True(seen.Add(id), $"image {id} loaded twice");
            Assert.Equal(id / 5, label);
            Assert.Equal(GrayPattern(id), pixels);
        }
        Assert.Equal(15, seen.Count); // not the hidden one (id 30)
        Assert.Equal([1, 1, 1], Enumerable.Range(0, 3).Select(c => data.Test.Labels.ToArray().Count(l => l == c)));
        Assert.StartsWith($"image folders {_root}: 12 train + 3 test images (split 80/20, seed 42) of 1x8x8, 3 classes (C, a_cat, b_dog)", data.Description);
        Assert.Contains("skipped 1 non-image file (e.g. a_cat/notes.txt)", data.Description);
    }

    [Fact]
    public void RGB_PNG_is_stored_planar_with_exact_values_and_inferred_as_3_channels()
    {
        Rgb("one/a.png", 0);
        Rgb("one/b.png", 1);
        Rgb("two/a.png", 2);
        Rgb("two/b.png", 3);

        var data = Load(new ImageFolderOptions { TestFraction = 0.5 });

        Assert.Equal(3, data.Train.Channels);
        Assert.Equal(2, data.Train.Count);
        Assert.Equal(2, data.Test.Count);
        foreach (var (pixels, label) in Samples(data.Train).Concat(Samples(data.Test)))
        {
            int id = pixels[2 * 64] / 9; // first B value
            Assert.Equal(id / 2, label);
            Assert.Equal(Planar(RgbPattern(id)), pixels);
        }
        Assert.DoesNotContain("converted", data.Description);
        Assert.DoesNotContain("replicated", data.Description);
    }

    [Fact]
    public void Channels_are_inferred_from_the_files_and_converted_on_request()
    {
        Gray("g/0.png", 1);
        Gray("g/1.png", 2);
        Rgb("c/0.png", 3);
        Rgb("c/1.png", 4);

        // Mixed: 3 channels, gray replicated to R, G and B.
        var mixed = Load(new ImageFolderOptions { TestFraction = 0.5 });
        Assert.Equal(3, mixed.Train.Channels);
        Assert.Contains("2 gray images replicated to RGB", mixed.Description);
        foreach (var (pixels, label) in Samples(mixed.Train).Concat(Samples(mixed.Test)))
        {
            if (mixed.ClassNames[label] != "g") continue;
            var gray = GrayPattern(pixels[0] / 7);
            Assert.Equal(gray.Concat(gray).Concat(gray), pixels);
        }

        // Forced gray: colour becomes BT.601 luminance, gray stays exact.
        var gray1 = Load(new ImageFolderOptions { TestFraction = 0.5, Channels = 1 });
        Assert.Equal(1, gray1.Train.Channels);
        Assert.Contains("converted 2 colour images to gray", gray1.Description);
        int colourSeen = 0;
        foreach (var (pixels, label) in Samples(gray1.Train).Concat(Samples(gray1.Test)))
        {
            if (gray1.ClassNames[label] == "g") { Assert.Equal(GrayPattern(pixels[0] / 7), pixels); continue; }
            colourSeen++;
            // B of pixel (x, y) is 9 id + x: find the id whose luminance pattern matches.
            var candidates = new[] { 3, 4 }.Select(id =>
            {
                var rgba = RgbPattern(id);
                return Enumerable.Range(0, 64).Select(i => Luma(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2])).ToArray();
            });
            Assert.Single(candidates, expected => expected.SequenceEqual(pixels));
        }
        Assert.Equal(2, colourSeen);

        // All gray, 3 asked for.
        Directory.Delete(Path.Combine(_root, "c"), recursive: true);
        Gray("c/0.png", 3);
        Gray("c/1.png", 4);
        Assert.Equal(1, Load(new ImageFolderOptions { TestFraction = 0.5 }).Train.Channels);
        var forced3 = Load(new ImageFolderOptions { TestFraction = 0.5, Channels = 3 });
        Assert.Equal(3, forced3.Train.Channels);
        Assert.Contains("all gray images replicated to RGB", forced3.Description);
        var (p, _) = Samples(forced3.Train).First();
        Assert.Equal(p[..64], p[64..128]);
        Assert.Equal(p[..64], p[128..]);
    }

    [Fact]
    public void Transparency_is_composited_over_black()
    {
        var rgba = new byte[8 * 8 * 4];
        for (int i = 0; i < 64; i++)
        {
            // half the pixels (200, 100, 50) at alpha 128, the others (10, 20, 30) fully transparent
            bool half = i % 2 == 0;
            rgba[4 * i] = half ? (byte)200 : (byte)10;
            rgba[4 * i + 1] = half ? (byte)100 : (byte)20;
            rgba[4 * i + 2] = half ? (byte)50 : (byte)30;
            rgba[4 * i + 3] = half ? (byte)128 : (byte)0;
        }
        Write("a/0.png", rgba, 8, 8, gray: false);
        Write("a/1.png", rgba, 8, 8, gray: false);

        var data = Load(new ImageFolderOptions { TestFraction = 0.5 });
        var pixels = data.Train.Pixels(0).ToArray();
        // 200 x 128 / 255 = 100.4, 100 x 128 / 255 = 50.2, 50 x 128 / 255 = 25.1
        Assert.Equal((100, 50, 25), (pixels[0], pixels[64], pixels[128]));
        Assert.Equal((0, 0, 0), (pixels[1], pixels[65], pixels[129]));
        Assert.Contains("transparency of 2 images composited over black", data.Description);

        var gray = Load(new ImageFolderOptions { TestFraction = 0.5, Channels = 1 }).Train.Pixels(0).ToArray();
        Assert.Equal(Luma(100, 50, 25), gray[0]);
        Assert.Equal(0, gray[1]);
    }

    [Fact]
    public void The_split_is_seeded_stratified_and_every_class_is_in_both_parts()
    {
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 10; i++)
                Gray($"class{c}/{i:00}.png", 10 * c + i);

        static (int[] Train, int[] Test) Ids(ImageFolderData d) =>
            (Samples(d.Train).Select(s => s.Pixels[0] / 7).ToArray(), Samples(d.Test).Select(s => s.Pixels[0] / 7).ToArray());

        var first = Load(new ImageFolderOptions { Seed = 7 });
        var again = Load(new ImageFolderOptions { Seed = 7 });
        var other = Load(new ImageFolderOptions { Seed = 8 });
        var (train, test) = Ids(first);

        Assert.Equal(train, Ids(again).Train);
        Assert.Equal(test, Ids(again).Test);
        Assert.NotEqual(test.Order(), Ids(other).Test.Order());
        Assert.Equal(Enumerable.Range(0, 30), train.Concat(test).Order());
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(8, first.Train.Labels.ToArray().Count(l => l == c));
            Assert.Equal(2, first.Test.Labels.ToArray().Count(l => l == c));
        }
        // Classes are interleaved: any prefix is close to stratified; within a class the path order is kept.
        Assert.Equal(new byte[] { 0, 1, 2 }, first.Train.Labels[..3].ToArray().Order());
        for (int c = 0; c < 3; c++)
        {
            var ofClass = train.Where(id => id / 10 == c).ToArray();
            Assert.Equal(ofClass.Order(), ofClass);
        }
        Assert.Contains("(split 80/20, seed 7)", first.Description);
    }

    [Fact]
    public void Train_and_test_folders_are_used_as_given_and_val_is_ignored()
    {
        Gray("train/x/0.png", 0);
        Gray("train/x/1.png", 1);
        Gray("train/y/sub/2.png", 2); // images below a class folder belong to it
        Gray("test/x/3.png", 3);
        Gray("test/y/4.png", 4);
        Gray("val/x/5.png", 5);

        Assert.True(ImageFolderDataset.Looks(_root));
        var data = Load(new ImageFolderOptions { TestFraction = 0.9 }); // not used with train/ and test/

        Assert.Equal(["x", "y"], data.ClassNames);
        Assert.Equal([(0, 0), (1, 0), (2, 1)], Samples(data.Train).Select(s => (s.Pixels[0] / 7, s.Label)).OrderBy(s => s.Item1));
        Assert.Equal([(3, 0), (4, 1)], Samples(data.Test).Select(s => (s.Pixels[0] / 7, s.Label)).OrderBy(s => s.Item1));
        Assert.Contains("3 train + 2 test images (train/ and test/ folders)", data.Description);
        Assert.Contains("ignored folder val/", data.Description);
    }

    [Fact]
    public void Resize_scales_every_image_to_the_size_asked_for()
    {
        var uniform = new byte[16 * 16 * 4];
        for (int i = 0; i < 256; i++) (uniform[4 * i], uniform[4 * i + 1], uniform[4 * i + 2], uniform[4 * i + 3]) = (100, 150, 200, 255);
        Write("a/big.png", uniform, 16, 16, gray: false);
        var halves = new byte[32 * 16];
        for (int y = 0; y < 16; y++) for (int x = 16; x < 32; x++) halves[y * 32 + x] = 255;
        Write("a/wide.png", halves, 32, 16, gray: true);
        Rgb("a/exact.png", 5, 6, 4);
        Gray("a/small.png", 1, 3, 3);

        var data = Load(new ImageFolderOptions { Size = (6, 4), TestFraction = 0.25 });

        Assert.Equal((3, 4, 6), (data.Train.Channels, data.Train.Height, data.Train.Width));
        Assert.Contains("resized 3 images to 6x4 (WxH)", data.Description);
        var all = Samples(data.Train).Concat(Samples(data.Test)).Select(s => s.Pixels).ToList();
        Assert.Equal(4, all.Count);
        // The uniform picture stays uniform; the one already 6 x 4 is exact.
        Assert.Contains(all, p => p[..24].All(v => Math.Abs(v - 100) <= 1) && p[24..48].All(v => Math.Abs(v - 150) <= 1) && p[48..].All(v => Math.Abs(v - 200) <= 1));
        Assert.Contains(all, p => p.SequenceEqual(Planar(RgbPattern(5, 6, 4), 6, 4)));
        // Left half black, right half white, stretched from 32 x 16: dark left columns, light right ones.
        var wide = all.Single(p => p[0] < 10 && p[5] > 245);
        for (int y = 0; y < 4; y++)
        {
            Assert.True(wide[y * 6 + 0] < 10 && wide[y * 6 + 1] < 10, $"row {y} left");
            Assert.True(wide[y * 6 + 4] > 245 && wide[y * 6 + 5] > 245, $"row {y} right");
        }
    }

    [Fact]
    public void JPEG_files_load_close_to_their_colours_and_gray_JPEG_counts_as_gray()
    {
        var rgba = new byte[8 * 8 * 4];
        for (int i = 0; i < 64; i++) (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = (200, 60, 30, 255);
        var gray = Enumerable.Repeat((byte)90, 64).ToArray();
        Write("colour/0.jpg", rgba, 8, 8, gray: false, SKEncodedImageFormat.Jpeg);
        Write("colour/1.JPEG", rgba, 8, 8, gray: false, SKEncodedImageFormat.Jpeg);
        Write("gray/0.jpg", gray, 8, 8, gray: true, SKEncodedImageFormat.Jpeg);
        Write("gray/1.jpeg", gray, 8, 8, gray: true, SKEncodedImageFormat.Jpeg);

        var data = Load(new ImageFolderOptions { TestFraction = 0.5 });
        Assert.Equal(3, data.Train.Channels);
        foreach (var (pixels, label) in Samples(data.Train).Concat(Samples(data.Test)))
        {
            var (r, g, b) = data.ClassNames[label] == "colour" ? (200, 60, 30) : (90, 90, 90);
            Assert.All(pixels[..64], v => Assert.InRange(v, r - 4, r + 4));
            Assert.All(pixels[64..128], v => Assert.InRange(v, g - 4, g + 4));
            Assert.All(pixels[128..], v => Assert.InRange(v, b - 4, b + 4));
        }

        Directory.Delete(Path.Combine(_root, "colour"), recursive: true);
        Write("colour/0.jpg", gray, 8, 8, gray: true, SKEncodedImageFormat.Jpeg);
        Write("colour/1.jpg", gray, 8, 8, gray: true, SKEncodedImageFormat.Jpeg);
        Assert.Equal(1, Load(new ImageFolderOptions { TestFraction = 0.5 }).Train.Channels);
    }

    [Fact]
    public void Looks_recognizes_both_layouts_and_nothing_else()
    {
        Assert.False(ImageFolderDataset.Looks(_root)); // empty
        Assert.False(ImageFolderDataset.Looks(Path.Combine(_root, "missing")));
        Text("train-images-idx3-ubyte", "MNIST-like files only");
        Assert.False(ImageFolderDataset.Looks(_root));
        Gray("tree/cat/0.png", 0);
        Assert.True(ImageFolderDataset.Looks(Path.Combine(_root, "tree")));
        Gray("split/train/cat/sub/0.png", 0);
        Assert.True(ImageFolderDataset.Looks(Path.Combine(_root, "split")));
        Text("other/notes/a.txt", "no images");
        Assert.False(ImageFolderDataset.Looks(Path.Combine(_root, "other")));
    }

    // ---- errors: each names the file or folder ----

    [Fact]
    public void A_file_that_does_not_decode_is_an_error_naming_it_and_the_first_bad_file_is_the_one_reported()
    {
        Gray("a/0.png", 0);
        Gray("a/1.png", 1);
        Gray("b/0.png", 2);
        string bad = Text("b/1.png", "this is text, not a PNG");
        Text("b/2.jpg", "neither is this");
        for (int run = 0; run < 3; run++)
        {
            var error = LoadFails();
            Assert.Contains(bad, error.Message);
            Assert.Contains("does not decode", error.Message);
        }

        File.WriteAllBytes(bad, []);
        Assert.Contains($"{bad}: the file is empty", LoadFails().Message);
    }

    [Fact]
    public void A_truncated_image_is_an_error_naming_it()
    {
        Gray("a/0.png", 0);
        Gray("a/1.png", 3);
        Rgb("b/0.png", 1, 64, 64);
        string cut = Rgb("b/1.png", 2, 64, 64);
        var bytes = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var error = LoadFails(new ImageFolderOptions { TestFraction = 0.5, Size = (8, 8) });
        Assert.Contains(cut, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_image_of_another_size_is_an_error_naming_both_sizes_and_suggesting_resize()
    {
        string first = Gray("a/0.png", 0);
        Gray("a/1.png", 1);
        string odd = Gray("b/0.png", 2, 9, 8);
        Gray("b/1.png", 3);

        var error = LoadFails();
        Assert.Contains(odd, error.Message);
        Assert.Contains("9x8", error.Message);
        Assert.Contains("8x8", error.Message);
        Assert.Contains(first, error.Message);
        Assert.Contains("--resize", error.Message);
    }

    [Fact]
    public void A_class_folder_without_images_is_an_error_naming_it()
    {
        Gray("a/0.png", 0);
        Gray("a/1.png", 1);
        Text("b/readme.md", "images to come");
        var error = LoadFails();
        Assert.Contains(Path.Combine(_root, "b"), error.Message);
        Assert.Contains("no images", error.Message);
        Assert.Contains("1 other file", error.Message);
    }

    [Fact]
    public void An_empty_directory_or_one_without_class_folders_is_an_error_naming_it()
    {
        var error = LoadFails();
        Assert.Contains(_root, error.Message);
        Assert.Contains("no class folders", error.Message);

        Gray("0.png", 0);
        Gray("1.png", 1);
        error = LoadFails();
        Assert.Contains("has 2 images but no class folders", error.Message);

        string missing = Path.Combine(_root, "missing");
        Assert.Contains($"{missing}: no such directory", LoadFails(directory: missing).Message);
        Assert.Contains("is a file", LoadFails(directory: Path.Combine(_root, "0.png")).Message);
    }

    [Fact]
    public void Train_and_test_with_different_classes_is_an_error_naming_the_difference()
    {
        Gray("train/cat/0.png", 0);
        Gray("train/dog/0.png", 1);
        Gray("test/cat/0.png", 2);
        Gray("test/fox/0.png", 3);

        var error = LoadFails();
        Assert.Contains("differ", error.Message);
        Assert.Contains("lacks class folder dog", error.Message);
        Assert.Contains("has class folder fox", error.Message);
        Assert.Contains(Path.Combine(_root, "test"), error.Message);
    }

    [Fact]
    public void Train_without_test_is_an_error_naming_the_folder()
    {
        Gray("train/cat/0.png", 0);
        Gray("val/cat/0.png", 1);
        var error = LoadFails();
        Assert.Contains(_root, error.Message);
        Assert.Contains("no test/ folder", error.Message);
        Assert.Contains("rename val/ to test/", error.Message);
    }

    [Fact]
    public void More_than_256_classes_is_an_error()
    {
        for (int c = 0; c < 257; c++) Directory.CreateDirectory(Path.Combine(_root, $"c{c:000}"));
        var error = LoadFails();
        Assert.Contains(_root, error.Message);
        Assert.Contains("257 class folders", error.Message);
        Assert.Contains("at most 256", error.Message);
    }

    [Fact]
    public void A_split_that_leaves_a_class_without_training_images_is_an_error_naming_the_class()
    {
        Gray("many/0.png", 0);
        Gray("many/1.png", 1);
        Gray("many/2.png", 2);
        Gray("single/0.png", 3);
        var error = LoadFails();
        Assert.Contains(Path.Combine(_root, "single"), error.Message);
        Assert.Contains("leaves none for training", error.Message);

        Gray("single/1.png", 4);
        Assert.Contains("leaves none for training", LoadFails(new ImageFolderOptions { TestFraction = 0.8 }).Message);
        Assert.Equal(2, Load(new ImageFolderOptions { TestFraction = 0.2 }).Test.Count);
        Assert.Contains("test fraction", LoadFails(new ImageFolderOptions { TestFraction = 0 }).Message);
        Assert.Contains("test fraction", LoadFails(new ImageFolderOptions { TestFraction = double.NaN }).Message);
    }

    [Fact]
    public void Bad_options_are_errors()
    {
        Gray("a/0.png", 0);
        Gray("a/1.png", 1);
        Assert.Contains("2 channels", LoadFails(new ImageFolderOptions { Channels = 2 }).Message);
        Assert.Contains("0x8", LoadFails(new ImageFolderOptions { Size = (0, 8) }).Message);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        Gray("a/0.png", 0);
        Gray("a/1.png", 1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ImageFolderDataset.Load(_root, new ImageFolderOptions(), cancelled.Token));
    }
}

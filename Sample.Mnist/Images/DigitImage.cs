using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using CnnGen.Sample.Mnist.Cli;
using SkiaSharp;

namespace CnnGen.Sample.Mnist.Images;

/// <summary>
/// A digit ready for the network: 28 x 28 grey bytes, light digit on a dark background as in MNIST, and notes
/// about what was done to get there (resized, inverted, colour dropped).
/// </summary>
public sealed record DigitImage(byte[] Pixels, IReadOnlyList<string> Notes)
{
    public const int Size = 28;

    /// <summary>
    /// Reads a PGM (P2 or P5, parsed here) or any image SkiaSharp decodes (PNG, JPEG, BMP, GIF, WebP).
    /// Colour becomes luminance, transparency is laid over white, other sizes are scaled to 28 x 28 (keeping
    /// the aspect ratio, padded with the background), and a dark digit on a light background is inverted.
    /// </summary>
    public static DigitImage Load(string path)
    {
        if (Directory.Exists(path))
            throw new UserException($"{path} is a directory; give an image file (PNG or PGM).");
        if (!File.Exists(path))
            throw new UserException($"{path}: no such file.");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UserException($"{path}: cannot read: {e.Message}", e); }

        var notes = new List<string>();
        var (gray, width, height) = IsPgm(bytes) ? ParsePgm(bytes, path) : Decode(bytes, path, notes);
        return FromGray(gray, width, height, notes);
    }

    /// <summary>Makes a network input from grey pixels of any size (row-major, 0 black .. 255 white).</summary>
    public static DigitImage FromGray(byte[] gray, int width, int height, List<string> notes)
    {
        if (width < 1 || height < 1 || gray.Length != width * height)
            throw new UserException($"Image of {width} x {height} with {gray.Length} pixels is not valid.");

        // MNIST digits are light on dark. A mostly light picture is a dark digit on paper: invert it.
        double mean = 0;
        foreach (byte b in gray) mean += b;
        mean /= gray.Length;
        if (mean > 127)
        {
            gray = (byte[])gray.Clone();
            for (int i = 0; i < gray.Length; i++) gray[i] = (byte)(255 - gray[i]);
            notes.Add("inverted (dark digit on a light background)");
        }

        if (width != Size || height != Size)
        {
            notes.Add($"scaled from {width} x {height} to {Size} x {Size}");
            gray = Resize(gray, width, height);
        }
        return new DigitImage(gray, notes);
    }

    private static bool IsPgm(byte[] bytes) => bytes.Length >= 2 && bytes[0] == (byte)'P' && (bytes[1] == (byte)'2' || bytes[1] == (byte)'5');

    /// <summary>Netpbm greymap: "P5" (binary) or "P2" (ASCII), width, height, maxval, with # comments in the header.</summary>
    public static (byte[] Gray, int Width, int Height) ParsePgm(byte[] bytes, string name)
    {
        int position = 2;
        bool binary = bytes[1] == (byte)'5';
        int width = ReadHeaderInt(bytes, ref position, name, "width");
        int height = ReadHeaderInt(bytes, ref position, name, "height");
        int maxValue = ReadHeaderInt(bytes, ref position, name, "maxval");
        if (width < 1 || height < 1 || width > 4096 || height > 4096)
            throw new UserException($"{name}: PGM size {width} x {height} is not supported (1 to 4096 per side).");
        if (maxValue < 1 || maxValue > 65535)
            throw new UserException($"{name}: PGM maxval {maxValue} is not in 1..65535.");
        var gray = new byte[width * height];
        if (binary)
        {
            position++; // exactly one whitespace byte after maxval
            int bytesPerSample = maxValue < 256 ? 1 : 2;
            long needed = (long)gray.Length * bytesPerSample;
            if (bytes.Length - position < needed)
                throw new UserException($"{name}: PGM is truncated: {width} x {height} needs {needed} bytes of pixels, the file has {Math.Max(0, bytes.Length - position)}.");
            for (int i = 0; i < gray.Length; i++)
            {
                int v = bytesPerSample == 1 ? bytes[position + i] : (bytes[position + 2 * i] << 8) | bytes[position + 2 * i + 1];
                gray[i] = Scale(v, maxValue, name);
            }
        }
        else
        {
            for (int i = 0; i < gray.Length; i++)
                gray[i] = Scale(ReadHeaderInt(bytes, ref position, name, $"pixel {i}"), maxValue, name);
        }
        return (gray, width, height);
    }

    private static byte Scale(int value, int maxValue, string name) =>
        value <= maxValue ? (byte)((value * 255 + maxValue / 2) / maxValue) : throw new UserException($"{name}: PGM value {value} exceeds maxval {maxValue}.");

    private static int ReadHeaderInt(byte[] bytes, ref int position, string name, string what)
    {
        // Skip whitespace and comments.
        while (position < bytes.Length)
        {
            if (bytes[position] == (byte)'#')
                while (position < bytes.Length && bytes[position] != (byte)'\n') position++;
            else if (char.IsWhiteSpace((char)bytes[position])) position++;
            else break;
        }
        int start = position;
        while (position < bytes.Length && bytes[position] >= (byte)'0' && bytes[position] <= (byte)'9') position++;
        if (position == start || position - start > 9)
            throw new UserException($"{name}: not a valid PGM file (expected the {what} as a number at byte {start}).");
        return int.Parse(Encoding.ASCII.GetString(bytes, start, position - start), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static (byte[] Gray, int Width, int Height) Decode(byte[] bytes, string name, List<string> notes)
    {
        SKBitmap? decoded;
        try
        {
            using var codec = SKCodec.Create(new SKMemoryStream(bytes))
                ?? throw new UserException($"{name}: not an image this program reads (PNG, JPEG, BMP, GIF, WebP or PGM).");
            decoded = SKBitmap.Decode(codec);
        }
        catch (ArgumentException e)
        {
            throw new UserException($"{name}: not an image this program reads (PNG, JPEG, BMP, GIF, WebP or PGM).", e);
        }
        using var bitmap = decoded ?? throw new UserException($"{name}: the image data is damaged and cannot be decoded.");
        int width = bitmap.Width, height = bitmap.Height;
        if (width > 4096 || height > 4096)
            throw new UserException($"{name}: {width} x {height} is too large (at most 4096 per side).");
        var gray = new byte[width * height];
        bool colour = false, transparent = false;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                if (c.Red != c.Green || c.Green != c.Blue) colour = true;
                if (c.Alpha != 255) transparent = true;
                // Luminance (Rec. 601), laid over white by alpha.
                double luma = 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;
                double a = c.Alpha / 255.0;
                gray[y * width + x] = (byte)Math.Clamp(Math.Round(luma * a + 255 * (1 - a)), 0, 255);
            }
        if (colour) notes.Add("converted to grey");
        if (transparent) notes.Add("transparency laid over white");
        return (gray, width, height);
    }

    /// <summary>Scales to fit 28 x 28 keeping the aspect ratio, centred on the background (black after inversion).</summary>
    private static byte[] Resize(byte[] gray, int width, int height)
    {
        using var source = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(gray, 0, source.GetPixels(), gray.Length);
        double scale = Math.Min((double)Size / width, (double)Size / height);
        int w = Math.Max(1, (int)Math.Round(width * scale)), h = Math.Max(1, (int)Math.Round(height * scale));
        using var scaled = source.Resize(new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque),
                                         new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new UserException($"Cannot scale a {width} x {height} image.");
        var result = new byte[Size * Size];
        int ox = (Size - w) / 2, oy = (Size - h) / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                result[(oy + y) * Size + ox + x] = scaled.GetPixel(x, y).Red;
        return result;
    }
}

using System;

namespace CnnGen.Sample.Web.Model;

/// <summary>
/// Turns the drawing pad's ink into a 28x28 MNIST-style digit, the way MNIST's images were made: the ink's bounding
/// box is scaled (keeping its aspect ratio, area-averaged, so anti-aliased) to fit a 20x20 box, and that box is placed
/// in the 28x28 image so that the centre of mass of its pixels sits at the image centre.
/// </summary>
public static class Digitizer
{
    /// <summary>MNIST's image side.</summary>
    public const int Size = 28;

    /// <summary>The side of the box the digit is scaled into.</summary>
    public const int Box = 20;

    /// <summary>Ink at or below this value (0-255) does not count for the bounding box (antialiasing fringe).</summary>
    public const byte InkThreshold = 24;

    /// <summary>
    /// The 28x28 digit (0 = background, 255 = full ink) of an ink image of <paramref name="width"/> x
    /// <paramref name="height"/> bytes; all zero when nothing is drawn.
    /// </summary>
    /// <exception cref="ArgumentException">The ink does not have <paramref name="width"/> x <paramref name="height"/> bytes.</exception>
    public static byte[] ToMnist(ReadOnlySpan<byte> ink, int width, int height)
    {
        if (width < 1 || height < 1 || (long)width * height != ink.Length)
            throw new ArgumentException($"The ink has {ink.Length} bytes, not {width} x {height}.", nameof(ink));
        var result = new byte[Size * Size];

        // the bounding box of the ink
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            if (ink[y * width + x] <= InkThreshold) continue;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y < y0) y0 = y;
            if (y > y1) y1 = y;
        }
        if (x1 < 0) return result; // nothing drawn
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;

        // scale the box so that its longer side is 20 pixels: each target pixel averages the source area it covers
        double scale = (double)Box / Math.Max(bw, bh);
        int tw = Math.Clamp((int)Math.Round(bw * scale), 1, Box), th = Math.Clamp((int)Math.Round(bh * scale), 1, Box);
        var box = new double[tw * th];
        for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++)
        {
            // source rectangle [sx0, sx1) x [sy0, sy1) of this target pixel, at least one source pixel
            int sx0 = x0 + (int)Math.Floor(tx * (double)bw / tw), sx1 = Math.Max(sx0 + 1, x0 + (int)Math.Ceiling((tx + 1) * (double)bw / tw));
            int sy0 = y0 + (int)Math.Floor(ty * (double)bh / th), sy1 = Math.Max(sy0 + 1, y0 + (int)Math.Ceiling((ty + 1) * (double)bh / th));
            double sum = 0;
            for (int sy = sy0; sy < Math.Min(sy1, y0 + bh); sy++)
            for (int sx = sx0; sx < Math.Min(sx1, x0 + bw); sx++)
                sum += ink[sy * width + sx];
            box[ty * tw + tx] = sum / ((sx1 - sx0) * (sy1 - sy0));
        }

        // centre of mass of the scaled box
        double mass = 0, mx = 0, my = 0;
        for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++)
        {
            double v = box[ty * tw + tx];
            mass += v;
            mx += v * (tx + 0.5);
            my += v * (ty + 0.5);
        }
        if (mass <= 0) return result;
        mx /= mass;
        my /= mass;

        // place it so that the centre of mass lands on the image centre (14, 14), kept inside the image
        int ox = Math.Clamp((int)Math.Round(Size / 2.0 - mx), 0, Size - tw);
        int oy = Math.Clamp((int)Math.Round(Size / 2.0 - my), 0, Size - th);
        for (int ty = 0; ty < th; ty++)
        for (int tx = 0; tx < tw; tx++)
            result[(oy + ty) * Size + ox + tx] = (byte)Math.Clamp((int)Math.Round(box[ty * tw + tx]), 0, 255);
        return result;
    }
}

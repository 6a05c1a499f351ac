using System;
using CnnGen.Data;

namespace CnnGen.Benchmarks;

// Also compiled into Sample.Aot (linked), for its 'firstbatch' command: keep it free of Benchmarks-only types.

/// <summary>The benchmark data sets: a fixed synthetic MNIST look-alike, or real MNIST from IDX files (Data.cs).</summary>
public static partial class BenchData
{
    public const int Side = 28, SampleSize = Side * Side, Classes = 10;

    /// <summary>
    /// <paramref name="count"/> 28x28 byte images with labels 0..9, fixed by <paramref name="seed"/>. Each class has a
    /// random stroke prototype; a sample is its class prototype, shifted by up to 2 pixels, with noisy intensities and
    /// a few stray pixels, on a black background (about 80% zeros, like MNIST), so that training behaves like training
    /// on digits (the loss falls, no divergence) and max-pooling sees MNIST-like ties. Deterministic and allocation-light.
    /// </summary>
    public static ImageDataset Synthetic(int count, ulong seed)
    {
        var rng = new SplitMix(seed);
        var prototypes = new byte[Classes][];
        for (int c = 0; c < Classes; c++)
        {
            var p = prototypes[c] = new byte[SampleSize];
            // a few random thick strokes inside the central 20x20 box
            for (int stroke = 0; stroke < 4; stroke++)
            {
                double x = 6 + rng.Next(16), y = 6 + rng.Next(16);
                double dx = (rng.NextDouble() - 0.5) * 1.6, dy = (rng.NextDouble() - 0.5) * 1.6;
                for (int step = 0; step < 10; step++, x += dx, y += dy)
                    for (int oy = 0; oy < 2; oy++)
                        for (int ox = 0; ox < 2; ox++)
                        {
                            int px = (int)x + ox, py = (int)y + oy;
                            if (px is >= 4 and < 24 && py is >= 4 and < 24) p[py * Side + px] = (byte)(200 + rng.Next(56));
                        }
            }
        }
        var pixels = new byte[(long)count * SampleSize];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = (int)rng.Next(Classes);
            labels[i] = (byte)label;
            int sx = (int)rng.Next(5) - 2, sy = (int)rng.Next(5) - 2;
            var p = prototypes[label];
            var image = pixels.AsSpan(i * SampleSize, SampleSize);
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                {
                    int fx = x - sx, fy = y - sy;
                    int v = fx is >= 0 and < Side && fy is >= 0 and < Side ? p[fy * Side + fx] : 0;
                    ulong r = rng.NextULong();
                    if (v > 0) v = Math.Clamp(v - (int)(r & 127), 0, 255);
                    else if ((r >> 8) % 64 == 0) v = (int)((r >> 16) & 255); // stray pixel
                    image[y * Side + x] = (byte)v;
                }
        }
        return new ImageDataset(pixels, labels, 1, Side, Side, Classes, $"synthetic({count}, seed {seed})");
    }

    /// <summary>SplitMix64: a tiny fixed generator, so the data never depends on the runtime's Random.</summary>
    private struct SplitMix(ulong seed)
    {
        private ulong _state = seed;
        public ulong NextULong()
        {
            ulong z = _state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
        public ulong Next(int bound) => NextULong() % (ulong)bound;
        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
    }
}

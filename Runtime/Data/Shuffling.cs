using System;

namespace CnnGen.Data;

/// <summary>Seeded, reproducible shuffling (Fisher-Yates over <see cref="Rng"/>).</summary>
public static class Shuffling
{
    /// <summary>Shuffles <paramref name="values"/> in place; the same RNG state gives the same order everywhere.</summary>
    public static void Shuffle<T>(Span<T> values, ref Rng rng)
    {
        // Fisher-Yates: for i from n-1 down to 1, swap values[i] with values[j], j uniform in [0, i].
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with 0..n-1 shuffled by a fresh <see cref="Rng"/> from <paramref name="seed"/>.</summary>
    public static void Permutation(Span<int> destination, ulong seed)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = i;
        var rng = new Rng(seed);
        Shuffle(destination, ref rng);
    }

    /// <summary>A new array holding 0..<paramref name="count"/>-1 shuffled by <paramref name="seed"/>.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        var result = new int[count];
        Permutation(result, seed);
        return result;
    }
}

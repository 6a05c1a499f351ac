using System;

namespace CnnGen;

/// <summary>Packs samples into the lanes layout (see <see cref="INetwork"/>).</summary>
public static class LaneLayout
{
    /// <summary>Values needed for <paramref name="count"/> samples of <paramref name="inputSize"/> at <paramref name="lanes"/>.</summary>
    public static int Length(int count, int inputSize, int lanes) => (count + lanes - 1) / lanes * inputSize * lanes;

    /// <summary>Packs sample-major floats (<paramref name="count"/> x <paramref name="inputSize"/>); padding lanes become 0.</summary>
    public static void Pack(ReadOnlySpan<float> samples, int count, int inputSize, int lanes, Span<float> destination)
    {
        int length = Length(count, inputSize, lanes);
        if (samples.Length < count * inputSize)
            throw new ArgumentException($"{samples.Length} values for {count} samples of {inputSize}.", nameof(samples));
        if (destination.Length < length)
            throw new ArgumentException($"Destination holds {destination.Length} values; {length} needed.", nameof(destination));
        destination.Slice(0, length).Clear();
        for (int s = 0; s < count; s++)
        {
            int g = s / lanes, l = s % lanes;
            var sample = samples.Slice(s * inputSize, inputSize);
            int baseOffset = g * inputSize * lanes + l;
            for (int e = 0; e < inputSize; e++)
                destination[baseOffset + e * lanes] = sample[e];
        }
    }
}

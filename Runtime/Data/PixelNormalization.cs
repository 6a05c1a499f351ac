using System;
using System.Runtime.Intrinsics;

namespace CnnGen.Data;

/// <summary>How pixel bytes become network inputs: a 256-entry lookup table.</summary>
public sealed class PixelNormalization
{
    private readonly float[] _table = new float[256];

    private PixelNormalization(string description, Func<int, float> map, (float Mean, float Std)? standardize = null)
    {
        Description = description;
        for (int v = 0; v < 256; v++) _table[v] = map(v);
        // The vector form computes (x / 255 - mean) / std per lane with the same float operations; it is used only if
        // it reproduces the table exactly for every byte, so packing gives the same floats on every path.
        if (standardize is { } f)
        {
            bool exact = true;
            for (int v = 0; v < 256 && exact; v += Vector128<float>.Count)
            {
                var x = Vector128.Create((float)v, v + 1, v + 2, v + 3);
                var y = (x / Vector128.Create(255f) - Vector128.Create(f.Mean)) / Vector128.Create(f.Std);
                for (int k = 0; k < Vector128<float>.Count; k++)
                    exact &= y.GetElement(k) == _table[v + k];
            }
            if (exact) VectorForm = f;
        }
    }

    /// <summary>(mean, std) when the table is <c>(x / 255 - mean) / std</c> computed in float, for the vectorized packer.</summary>
    internal (float Mean, float Std)? VectorForm { get; }

    /// <summary><c>x / 255</c>: values in [0, 1].</summary>
    public static PixelNormalization Scale01 { get; } = new("x/255", v => v / 255f, (0f, 1f));

    /// <summary>The usual MNIST statistics: mean 0.1307, std 0.3081.</summary>
    public static PixelNormalization Mnist { get; } = Standardize(0.1307f, 0.3081f);

    /// <summary><c>(x / 255 - mean) / std</c>.</summary>
    public static PixelNormalization Standardize(float mean, float std)
    {
        if (!(std > 0) || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(std), $"Normalization needs a finite mean and a positive finite std (got mean {mean}, std {std}).");
        return new($"(x/255-{mean})/{std}", v => (v / 255f - mean) / std, (mean, std));
    }

    /// <summary>A human-readable form, e.g. <c>x/255</c>.</summary>
    public string Description { get; }

    /// <summary>The float for each byte value.</summary>
    public ReadOnlySpan<float> Table => _table;

    /// <summary>The float for one byte value.</summary>
    public float Apply(byte value) => _table[value];

    /// <inheritdoc/>
    public override string ToString() => Description;
}

using System.Globalization;

namespace CnnGen.Structure;

/// <summary>One sample's shape at a layer: (C, H, W), or a flat vector of <see cref="C"/> features (H = W = 1).</summary>
public readonly record struct LayerShape(int C, int H, int W, bool IsFlat)
{
    /// <summary>A flat vector of <paramref name="features"/> values.</summary>
    public static LayerShape Flat(int features) => new(features, 1, 1, true);

    /// <summary>Values per sample.</summary>
    public int Size => C * H * W;

    /// <inheritdoc/>
    public override string ToString() => IsFlat
        ? C.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}x{1}x{2}", C, H, W);
}

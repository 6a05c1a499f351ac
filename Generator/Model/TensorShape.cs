using System.Globalization;

namespace CnnGen.Generator.Model;

/// <summary>The shape of one sample's activations: (C, H, W), or a flat vector of <see cref="C"/> features.</summary>
internal readonly record struct TensorShape(int C, int H, int W, bool IsFlat)
{
    public static TensorShape Spatial(int c, int h, int w) => new(c, h, w, false);
    public static TensorShape Flat(int features) => new(features, 1, 1, true);

    /// <summary>Values per sample, computed in 64 bits so that absurd declarations cannot overflow.</summary>
    public long Size => (long)C * H * W;

    public override string ToString() => IsFlat
        ? C.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}x{1}x{2}", C, H, W);

    /// <summary>The shape as a tuple with the batch, as in Keras summaries: <c>(B, 6, 28, 28)</c>.</summary>
    public string ToBatchString() => IsFlat
        ? string.Format(CultureInfo.InvariantCulture, "(B, {0})", C)
        : string.Format(CultureInfo.InvariantCulture, "(B, {0}, {1}, {2})", C, H, W);
}

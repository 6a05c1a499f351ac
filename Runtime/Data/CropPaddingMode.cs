namespace CnnGen.Data;

/// <summary>How the padding of <see cref="Augmentation.CropPadding"/> is filled.</summary>
public enum CropPaddingMode
{
    /// <summary>With <see cref="Augmentation.Fill"/> (a translation with fill).</summary>
    Zero,
    /// <summary>Repeating the edge pixel.</summary>
    Edge,
    /// <summary>Mirroring the image at its edge (without repeating the edge pixel).</summary>
    Reflect,
}

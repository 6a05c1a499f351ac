using System;

namespace CnnGen;

/// <summary>
/// The lane widths (samples per SIMD value) CnnGen supports: <see cref="Lane1"/>, <see cref="Lane4"/> (Vector128),
/// <see cref="Lane8"/> (Vector256) and <see cref="Lane16"/> (Vector512). Every lanes check uses this one list.
/// </summary>
public static class LaneWidths
{
    /// <summary>The supported widths, widest first.</summary>
    public static ReadOnlySpan<int> All => [16, 8, 4, 1];

    /// <summary>The supported widths in words, for error messages: "1, 4, 8 or 16".</summary>
    public const string Description = "1, 4, 8 or 16";

    /// <summary>Whether <paramref name="lanes"/> is a supported width.</summary>
    public static bool IsSupported(int lanes) => lanes is 1 or 4 or 8 or 16;

    /// <summary>The lane type of <paramref name="lanes"/>, or null for an unsupported width.</summary>
    public static Type? LaneType(int lanes) => lanes switch
    {
        16 => typeof(Lane16),
        8 => typeof(Lane8),
        4 => typeof(Lane4),
        1 => typeof(Lane1),
        _ => null,
    };

    /// <summary>Throws the standard error for an unsupported <paramref name="lanes"/>.</summary>
    internal static void Check(int lanes, string paramName)
    {
        if (!IsSupported(lanes))
            throw new ArgumentOutOfRangeException(paramName, lanes, "Lanes must be " + Description + ".");
    }
}

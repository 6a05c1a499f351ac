using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen;

/// <summary>Strided loads the vector widths have no instruction for: gathered one value at a time (kept out of line).</summary>
internal static class LaneGather
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector128<float> Gather4(ReadOnlySpan<float> source, int offset, int stride)
    {
        var s = source.Slice(offset, 4 * stride);
        return Vector128.Create(s[0], s[stride], s[2 * stride], s[3 * stride]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector256<float> Gather8(ReadOnlySpan<float> source, int offset, int stride)
    {
        var s = source.Slice(offset, 8 * stride);
        Span<float> lanes = stackalloc float[8];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = s[i * stride];
        return Vector256.Create((ReadOnlySpan<float>)lanes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Vector512<float> Gather16(ReadOnlySpan<float> source, int offset, int stride)
    {
        var s = source.Slice(offset, 16 * stride);
        Span<float> lanes = stackalloc float[16];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = s[i * stride];
        return Vector512.Create((ReadOnlySpan<float>)lanes);
    }
}

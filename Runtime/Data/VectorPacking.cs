using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Data;

/// <summary>
/// <see cref="ImageDataset.PackBatch(ReadOnlySpan{int}, int, PixelNormalization, Span{float}, Span{int})"/> for 8 and 16 lanes with SIMD: 16 pixels of each of the group's samples are
/// loaded as one vector each, the 16 x 16 bytes transposed (16 = one pixel of every sample), widened to floats and
/// normalized in one go, and stored as whole lane vectors, instead of one table lookup and one scattered store per
/// pixel. Gives exactly the floats of the table (see <see cref="PixelNormalization.VectorForm"/>).
/// </summary>
internal static class VectorPacking
{
    public static bool Supported(int lanes) =>
        Sse2.IsSupported && (lanes == 16 ? Avx512F.IsSupported : lanes == 8 && Avx2.IsSupported);

    /// <summary>One lane group: lane l's bytes start at <paramref name="starts"/>[l] in <paramref name="pixels"/>; lanes past starts.Length are padding.</summary>
    public static void PackGroup(ReadOnlySpan<byte> pixels, ReadOnlySpan<int> starts, int size, int lanes, (float Mean, float Std) form,
                                 ReadOnlySpan<float> table, Span<float> group)
    {
        int valid = starts.Length;
        Span<Vector128<byte>> rows = stackalloc Vector128<byte>[16];
        rows.Clear(); // padding lanes and, for 8 lanes, rows 8..15 stay 0
        int e0 = 0;
        for (; e0 + 16 <= size; e0 += 16)
        {
            for (int l = 0; l < valid; l++)
                rows[l] = Vector128.Create(pixels.Slice(starts[l] + e0, 16));
            Transpose16(rows);
            // rows[j] now holds pixel e0 + j of every lane
            for (int j = 0; j < 16; j++)
                Store(rows[j], lanes, valid, form, group.Slice((e0 + j) * lanes, lanes));
        }
        // the last size % 16 pixels one at a time
        for (int e = e0; e < size; e++)
            for (int l = 0; l < lanes; l++)
                group[e * lanes + l] = l < valid ? table[pixels[starts[l] + e]] : 0f;
    }

    /// <summary>One pixel of every lane: bytes to floats, normalized, padding lanes 0.</summary>
    private static void Store(Vector128<byte> bytes, int lanes, int valid, (float Mean, float Std) form, Span<float> destination)
    {
        if (lanes == 16)
        {
            var x = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(bytes));
            var y = (x / Vector512.Create(255f) - Vector512.Create(form.Mean)) / Vector512.Create(form.Std);
            if (valid < 16) y = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(valid)).AsSingle(), y, Vector512<float>.Zero);
            y.CopyTo(destination);
        }
        else
        {
            var x = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(bytes)); // the low 8 bytes
            var y = (x / Vector256.Create(255f) - Vector256.Create(form.Mean)) / Vector256.Create(form.Std);
            if (valid < 8) y = Vector256.ConditionalSelect(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(valid)).AsSingle(), y, Vector256<float>.Zero);
            y.CopyTo(destination);
        }
    }

    /// <summary>Transposes 16 x 16 bytes in place: four rounds of interleaving row i with row i + 8.</summary>
    private static void Transpose16(Span<Vector128<byte>> rows)
    {
        Span<Vector128<byte>> next = stackalloc Vector128<byte>[16];
        for (int round = 0; round < 4; round++)
        {
            for (int i = 0; i < 8; i++)
            {
                next[2 * i] = Sse2.UnpackLow(rows[i], rows[i + 8]);
                next[2 * i + 1] = Sse2.UnpackHigh(rows[i], rows[i + 8]);
            }
            next.CopyTo(rows);
        }
    }
}

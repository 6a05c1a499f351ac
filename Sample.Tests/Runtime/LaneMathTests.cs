using System;
using System.Runtime.Intrinsics;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>
/// The portable fused multiply-add Lane4 uses without FMA3/AdvSimd (x64 with AVX off, WebAssembly) must give the
/// correctly rounded a * b + c of <see cref="MathF.FusedMultiplyAdd"/> bit for bit, or training would differ by width.
/// </summary>
public sealed class LaneMathTests
{
    private static void Check(float[] a, float[] b, float[] c)
    {
        for (int i = 0; i + 4 <= a.Length; i += 4)
        {
            var got = LaneMath.Emulated(Vector128.Create(a.AsSpan(i, 4)), Vector128.Create(b.AsSpan(i, 4)), Vector128.Create(c.AsSpan(i, 4)));
            var viaLane = LaneMath.FusedMultiplyAdd(Vector128.Create(a.AsSpan(i, 4)), Vector128.Create(b.AsSpan(i, 4)), Vector128.Create(c.AsSpan(i, 4)));
            for (int l = 0; l < 4; l++)
            {
                float want = MathF.FusedMultiplyAdd(a[i + l], b[i + l], c[i + l]);
                if (float.IsNaN(want)) { Assert.True(float.IsNaN(got[l]) && float.IsNaN(viaLane[l])); continue; }
                Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got[l]),
                    $"fma({a[i + l]:R}, {b[i + l]:R}, {c[i + l]:R}) = {want:R}, emulated {got[l]:R}");
                Assert.Equal(BitConverter.SingleToInt32Bits(want), BitConverter.SingleToInt32Bits(viaLane[l]));
            }
        }
    }

    [Fact]
    public void Emulated_fused_multiply_add_is_correctly_rounded()
    {
        const int N = 200_000;
        var rng = new Rng(77);
        var a = new float[N];
        var b = new float[N];
        var c = new float[N];
        float Wide() => (float)(rng.NextGaussian() * Math.Pow(2, rng.NextDouble() * 80 - 40));
        for (int i = 0; i < N; i++)
        {
            a[i] = Wide();
            b[i] = Wide();
            switch (i % 8)
            {
                case 0: c[i] = Wide(); break;
                case 1: c[i] = -(a[i] * b[i]); break; // the result is the product's rounding error
                case 2: c[i] = -(a[i] * b[i]) * (1 + (float)(rng.NextDouble() - 0.5) * 1e-6f); break; // heavy cancellation
                case 3:
                    // ties: (1 + i 2^-12)(1 + j 2^-12) has bits below float precision that are often exactly half an ulp
                    a[i] = 1 + (float)(rng.NextUInt64() % 4096) / 4096f;
                    b[i] = 1 + (float)(rng.NextUInt64() % 4096) / 4096f;
                    c[i] = (rng.NextUInt64() % 2 == 0 ? 1 : -1) * (float)(rng.NextUInt64() % 64) / 64f;
                    break;
                case 4:
                    // a product often exactly halfway between two floats, pushed off the tie by an addend far below
                    // double precision: rounding the double sum to float directly (twice) would land on the tie
                    a[i] = 1 + (float)(rng.NextUInt64() % 4096) / 4096f;
                    b[i] = 1 + (float)(rng.NextUInt64() % 4096) / 4096f;
                    c[i] = (float)(rng.NextGaussian() * 1e-20);
                    break;
                case 5:
                    // results in the float subnormal range, where rounding to float drops more bits: a product just off
                    // half the subnormal spacing (2^-150 (1 - k^2 2^-40)) added to an odd multiple of 2^-149, whose
                    // double sum is that midpoint exactly
                    {
                        int k = 1 + (int)(rng.NextUInt64() % 1000);
                        float sign = rng.NextUInt64() % 2 == 0 ? 1 : -1;
                        a[i] = sign * MathF.ScaleB(1 + k / 1048576f, -75);
                        b[i] = MathF.ScaleB(1 - k / 1048576f, -75);
                        c[i] = (rng.NextUInt64() % 2 == 0 ? 1 : -1) * MathF.ScaleB(1 + 2 * (int)(rng.NextUInt64() % (1 << 22)), -149);
                    }
                    break;
                case 6:
                    a[i] = (float)(rng.NextGaussian() * Math.Pow(2, -63));
                    b[i] = (float)(rng.NextGaussian() * Math.Pow(2, -63));
                    c[i] = (float)(rng.NextGaussian() * Math.Pow(2, -128));
                    break;
                default: c[i] = (float)(rng.NextGaussian() * 1e-3) * a[i] * b[i]; break;
            }
        }
        Check(a, b, c);
    }

    [Fact]
    public void Emulated_fused_multiply_add_handles_zeros_infinities_NaN_subnormals_and_overflow()
    {
        float[] v = [0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1.1754942E-38f, 3.4028235E38f, -3.4028235E38f,
                     float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-30f, 1e30f, 0.5f, 3f];
        int n = v.Length;
        var a = new float[n * n * n + 3];
        var b = new float[a.Length];
        var c = new float[a.Length];
        int k = 0;
        foreach (var x in v) foreach (var y in v) foreach (var z in v) { a[k] = x; b[k] = y; c[k] = z; k++; }
        Check(a, b, c);
    }
}

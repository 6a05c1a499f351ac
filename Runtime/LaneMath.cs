using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

/// <summary>Vector arithmetic the hardware may lack, computed exactly in portable <see cref="Vector128"/> code.</summary>
internal static class LaneMath
{
    /// <summary>
    /// <c>a * b + c</c> with one rounding, per lane. With FMA3 or AdvSimd the instruction; without (x64 with AVX off,
    /// WebAssembly) the software fallback of <see cref="Vector128.FusedMultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/>
    /// goes one element at a time through memory, slower than scalar code, so it is computed here instead, bit for bit
    /// the same: the product of two floats is exact in double; TwoSum gives the double sum and its exact error; rounding
    /// that sum to odd (truncate, then set the last bit if inexact) and then to float rounds once, correctly
    /// (53 &gt;= 2 x 24 + 2 bits; Boldo and Melquiond, "Emulation of FMA and correctly rounded sums", 2008).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (Fma.IsSupported || AdvSimd.IsSupported || !Vector128.IsHardwareAccelerated) return Vector128.FusedMultiplyAdd(a, b, c);
        return Emulated(a, b, c);
    }

    /// <summary>The emulation itself, on any CPU (tests compare it with <see cref="MathF.FusedMultiplyAdd"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Emulated(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        var (a0, a1) = Vector128.Widen(a);
        var (b0, b1) = Vector128.Widen(b);
        var (c0, c1) = Vector128.Widen(c);
        Vector128<double> p0 = a0 * b0, p1 = a1 * b1;
        Vector128<double> s0 = p0 + c0, s1 = p1 + c1;
        // Rounding the double sum to float rounds twice, which differs from rounding once only when the sum is exactly
        // halfway between two floats (its 29 bits below float precision are 1000...0) or in the float subnormal range
        // (a coarser rounding position): then, rarely, the exact path.
        var low = Vector128.Create(0x1FFFFFFF, 0, 0x1FFFFFFF, 0);
        var half = Vector128.Create(0x10000000, 1, 0x10000000, 1); // the high halves (masked to 0) never match
        var tie = Vector128.Equals(s0.AsInt32() & low, half) | Vector128.Equals(s1.AsInt32() & low, half);
        // 2^-126: the smallest normal float
        Vector128<double> abs0 = Vector128.Abs(s0), abs1 = Vector128.Abs(s1), zero = Vector128<double>.Zero, normal = Vector128.Create(1.1754943508222875E-38);
        var subnormal = (Vector128.GreaterThan(abs0, zero) & Vector128.LessThan(abs0, normal)) | (Vector128.GreaterThan(abs1, zero) & Vector128.LessThan(abs1, normal));
        if (tie != Vector128<int>.Zero || subnormal != Vector128<double>.Zero)
            return Vector128.Narrow(SumRoundedToOdd(p0, c0), SumRoundedToOdd(p1, c1));
        return Vector128.Narrow(s0, s1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> SumRoundedToOdd(Vector128<double> p, Vector128<double> c)
    {
        var s = p + c;
        var bv = s - p;
        var e = (p - (s - bv)) + (c - bv); // s + e == p + c exactly (NaN when s is not finite: nothing to fix then)
        var zero = Vector128<double>.Zero;
        var inexact = (~Vector128.Equals(e, zero) & Vector128.Equals(e, e)).AsInt64();
        // e != 0 implies s != 0; the exact value is below |s| when e and s differ in sign: truncate one ulp then
        var below = (Vector128.GreaterThan(e, zero) ^ Vector128.GreaterThan(s, zero)).AsInt64() & inexact;
        var bits = s.AsInt64() + below; // adding the all-ones mask subtracts 1
        return (bits | (inexact & Vector128<long>.One)).AsDouble();
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

/// <summary>One sample per value: the scalar program, used by gradient checks and on CPUs without SIMD.</summary>
public readonly struct Lane1 : ILane<Lane1>
{
    public readonly float Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lane1(float value) => Value = value;

    public static int Count => 1;
    public static Lane1 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Broadcast(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator +(Lane1 a, Lane1 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator -(Lane1 a, Lane1 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator *(Lane1 a, Lane1 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 operator /(Lane1 a, Lane1 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 FusedMultiplyAdd(Lane1 a, in Lane1 b, Lane1 c) => Unsafe.BitCast<float, Lane1>(MathF.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 MultiplyAdd(Lane1 a, float b, Lane1 c) => Unsafe.BitCast<float, Lane1>(MathF.FusedMultiplyAdd(a.Value, b, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Max(Lane1 a, Lane1 b) => new(MathF.Max(a.Value, b.Value));
    // The same algorithm as the vector widths, so every width computes bit-identical values.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Exp(Lane1 a) => new(Vector128.Exp(Vector128.CreateScalar(a.Value)).ToScalar());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 GreaterThan(Lane1 a, Lane1 b) => a.Value > b.Value ? AllBits : default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Equal(Lane1 a, Lane1 b) => a.Value == b.Value ? AllBits : default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Select(Lane1 mask, Lane1 ifTrue, Lane1 ifFalse) => Bits(mask) != 0 ? ifTrue : ifFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 And(Lane1 a, Lane1 b) => FromBits(Bits(a) & Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Or(Lane1 a, Lane1 b) => FromBits(Bits(a) | Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 AndNot(Lane1 a, Lane1 b) => FromBits(Bits(a) & ~Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Lane1 a) => a.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 Load(ReadOnlySpan<float> source, int offset) => new(source[offset]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane1 LoadStrided(ReadOnlySpan<float> source, int offset, int stride) => new(source[offset]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane1 value, Span<float> destination, int offset) => destination[offset] = value.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Lane1 value, Span<float> destination, int offset, int count)
    {
        if (count > 0) destination[offset] = value.Value;
    }

    private static Lane1 AllBits => FromBits(-1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static int Bits(Lane1 a) => BitConverter.SingleToInt32Bits(a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Lane1 FromBits(int bits) => new(BitConverter.Int32BitsToSingle(bits));
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Four samples per value in a <see cref="Vector128{T}"/>: for CPUs whose widest accelerated vectors are 128 bits
/// (ARM64 NEON, WebAssembly SIMD, x64 without AVX). Written with the cross-platform <see cref="Vector128"/> API and
/// the same algorithms as the other widths, so every width computes bit-identical values.
/// </summary>
public readonly struct Lane4 : ILane<Lane4>
{
    public readonly Vector128<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lane4(Vector128<float> v) => V = v;

    public static int Count => 4;
    public static Lane4 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Broadcast(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 operator +(Lane4 a, Lane4 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 operator -(Lane4 a, Lane4 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 operator *(Lane4 a, Lane4 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 operator /(Lane4 a, Lane4 b) => new(a.V / b.V);
    // The instruction called directly where the CPU has it (one inlining level, like Lane8 and Lane16: the unrolled kernels
    // stay within the JIT's inlining budget); the exact emulation only without FMA3 or AdvSimd.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane4 FusedMultiplyAdd(Lane4 a, in Lane4 b, Lane4 c) =>
        Unsafe.BitCast<Vector128<float>, Lane4>(Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a.V, b.V, c.V) : LaneMath.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane4 MultiplyAdd(Lane4 a, float b, Lane4 c) =>
        Unsafe.BitCast<Vector128<float>, Lane4>(Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a.V, Vector128.Create(b), c.V) : LaneMath.FusedMultiplyAdd(a.V, Vector128.Create(b), c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Max(Lane4 a, Lane4 b) => new(Vector128.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Exp(Lane4 a) => new(Vector128.Exp(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 GreaterThan(Lane4 a, Lane4 b) => new(Vector128.GreaterThan(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Equal(Lane4 a, Lane4 b) => new(Vector128.Equals(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Select(Lane4 mask, Lane4 ifTrue, Lane4 ifFalse) => new(Vector128.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 And(Lane4 a, Lane4 b) => new(a.V & b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Or(Lane4 a, Lane4 b) => new(a.V | b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 AndNot(Lane4 a, Lane4 b) => new(Vector128.AndNot(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Lane4 a) => Vector128.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Load(ReadOnlySpan<float> source, int offset) => new(Vector128.Create(source.Slice(offset, 4)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane4 LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        if (stride == 2)
        {
            // the even elements of two vectors (what the other widths read too: 2 x Count values)
            var s = source.Slice(offset, 8);
            var lo = Vector128.Create(s);
            var hi = Vector128.Create(s.Slice(4));
            if (AdvSimd.Arm64.IsSupported) return new(AdvSimd.Arm64.UnzipEven(lo, hi));
            if (Sse.IsSupported) return new(Sse.Shuffle(lo, hi, 0b10_00_10_00));
            return new(Vector128.Create(s[0], s[2], s[4], s[6]));
        }
        return new(LaneGather.Gather4(source, offset, stride));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane4 value, Span<float> destination, int offset) => value.V.CopyTo(destination.Slice(offset, 4));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Lane4 value, Span<float> destination, int offset, int count)
    {
        var d = destination.Slice(offset, 4);
        var keep = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle();
        Vector128.ConditionalSelect(keep, value.V, Vector128.Create((ReadOnlySpan<float>)d)).CopyTo(d);
    }
    public override string ToString() => V.ToString();
}

/// <summary>Eight samples per value in a <see cref="Vector256{T}"/>: for CPUs without AVX-512.</summary>
public readonly struct Lane8 : ILane<Lane8>
{
    public readonly Vector256<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lane8(Vector256<float> v) => V = v;

    public static int Count => 8;
    public static Lane8 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Broadcast(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 operator +(Lane8 a, Lane8 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 operator -(Lane8 a, Lane8 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 operator *(Lane8 a, Lane8 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 operator /(Lane8 a, Lane8 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 FusedMultiplyAdd(Lane8 a, in Lane8 b, Lane8 c) => Unsafe.BitCast<Vector256<float>, Lane8>(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 MultiplyAdd(Lane8 a, float b, Lane8 c) => Unsafe.BitCast<Vector256<float>, Lane8>(Vector256.FusedMultiplyAdd(a.V, Vector256.Create(b), c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Max(Lane8 a, Lane8 b) => new(Vector256.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Exp(Lane8 a) => new(Vector256.Exp(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 GreaterThan(Lane8 a, Lane8 b) => new(Vector256.GreaterThan(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Equal(Lane8 a, Lane8 b) => new(Vector256.Equals(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Select(Lane8 mask, Lane8 ifTrue, Lane8 ifFalse) => new(Vector256.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 And(Lane8 a, Lane8 b) => new(a.V & b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Or(Lane8 a, Lane8 b) => new(a.V | b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 AndNot(Lane8 a, Lane8 b) => new(Vector256.AndNot(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Lane8 a) => Vector256.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Load(ReadOnlySpan<float> source, int offset) => new(Vector256.Create(source.Slice(offset, 8)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane8 LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        if (stride == 2 && Avx2.IsSupported)
        {
            // [a0 a2 b0 b2 | a4 a6 b4 b6], then the 64-bit quarters in the order 0 2 1 3
            var s = source.Slice(offset, 16);
            var even = Avx.Shuffle(Vector256.Create(s), Vector256.Create(s.Slice(8)), 0b10_00_10_00);
            return new(Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle());
        }
        return new(LaneGather.Gather8(source, offset, stride));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane8 value, Span<float> destination, int offset) => value.V.CopyTo(destination.Slice(offset, 8));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Lane8 value, Span<float> destination, int offset, int count)
    {
        var d = destination.Slice(offset, 8);
        var keep = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
        Vector256.ConditionalSelect(keep, value.V, Vector256.Create((ReadOnlySpan<float>)d)).CopyTo(d);
    }
    public override string ToString() => V.ToString();
}

/// <summary>Sixteen samples per value in a <see cref="Vector512{T}"/>: the fast path on AVX-512 CPUs.</summary>
public readonly struct Lane16 : ILane<Lane16>
{
    public readonly Vector512<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lane16(Vector512<float> v) => V = v;

    public static int Count => 16;
    public static Lane16 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Broadcast(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 operator +(Lane16 a, Lane16 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 operator -(Lane16 a, Lane16 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 operator *(Lane16 a, Lane16 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 operator /(Lane16 a, Lane16 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 FusedMultiplyAdd(Lane16 a, in Lane16 b, Lane16 c) => Unsafe.BitCast<Vector512<float>, Lane16>(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 MultiplyAdd(Lane16 a, float b, Lane16 c) => Unsafe.BitCast<Vector512<float>, Lane16>(Vector512.FusedMultiplyAdd(a.V, Vector512.Create(b), c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Max(Lane16 a, Lane16 b) => new(Vector512.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Exp(Lane16 a) => new(Vector512.Exp(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 GreaterThan(Lane16 a, Lane16 b) => new(Vector512.GreaterThan(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Equal(Lane16 a, Lane16 b) => new(Vector512.Equals(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Select(Lane16 mask, Lane16 ifTrue, Lane16 ifFalse) => new(Vector512.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 And(Lane16 a, Lane16 b) => new(a.V & b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Or(Lane16 a, Lane16 b) => new(a.V | b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 AndNot(Lane16 a, Lane16 b) => new(Vector512.AndNot(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Lane16 a) => Vector512.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Load(ReadOnlySpan<float> source, int offset) => new(Vector512.Create(source.Slice(offset, 16)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane16 LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        if (stride == 2 && Avx512F.IsSupported)
        {
            // the even elements of two vectors: indices 0, 2, ..., 30 over their concatenation
            var s = source.Slice(offset, 32);
            return new(Avx512F.PermuteVar16x32x2(Vector512.Create(s), EvenIndices, Vector512.Create(s.Slice(16))));
        }
        return new(LaneGather.Gather16(source, offset, stride));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane16 value, Span<float> destination, int offset) => value.V.CopyTo(destination.Slice(offset, 16));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Lane16 value, Span<float> destination, int offset, int count)
    {
        var d = destination.Slice(offset, 16);
        var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        Vector512.ConditionalSelect(keep, value.V, Vector512.Create((ReadOnlySpan<float>)d)).CopyTo(d);
    }

    private static Vector512<int> EvenIndices => Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    public override string ToString() => V.ToString();
}

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

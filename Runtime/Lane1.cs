using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

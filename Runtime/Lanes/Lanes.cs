using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen;

/// <summary>One sample per value: the scalar program, used by <c>Predict</c> and gradient checks.</summary>
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

    private static Lane1 AllBits => FromBits(-1);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static int Bits(Lane1 a) => BitConverter.SingleToInt32Bits(a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static Lane1 FromBits(int bits) => new(BitConverter.Int32BitsToSingle(bits));
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
    public override string ToString() => V.ToString();
}

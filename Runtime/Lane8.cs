using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane8 Load(ReadOnlySpan<float> source, int offset) => new(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source.Slice(offset, 8))));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane8 LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        if (stride == 2 && Avx2.IsSupported)
        {
            // [a0 a2 b0 b2 | a4 a6 b4 b6], then the 64-bit quarters in the order 0 2 1 3
            var s = source.Slice(offset, 16);
            ref float s0 = ref MemoryMarshal.GetReference(s);
            var even = Avx.Shuffle(Vector256.LoadUnsafe(ref s0), Vector256.LoadUnsafe(ref s0, 8), 0b10_00_10_00);
            return new(Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle());
        }
        return new(LaneGather.Gather8(source, offset, stride));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane8 value, Span<float> destination, int offset) => value.V.StoreUnsafe(ref MemoryMarshal.GetReference(destination.Slice(offset, 8)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Lane8 value, Span<float> destination, int offset, int count)
    {
        ref float d = ref MemoryMarshal.GetReference(destination.Slice(offset, 8));
        var keep = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
        Vector256.ConditionalSelect(keep, value.V, Vector256.LoadUnsafe(ref d)).StoreUnsafe(ref d);
    }
    public override string ToString() => V.ToString();
}

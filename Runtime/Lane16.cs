using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane16 Load(ReadOnlySpan<float> source, int offset) => new(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source.Slice(offset, 16))));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane16 LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        if (stride == 2 && Avx512F.IsSupported)
        {
            // the even elements of two vectors: indices 0, 2, ..., 30 over their concatenation
            var s = source.Slice(offset, 32);
            ref float s0 = ref MemoryMarshal.GetReference(s);
            return new(Avx512F.PermuteVar16x32x2(Vector512.LoadUnsafe(ref s0), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
                                                 Vector512.LoadUnsafe(ref s0, 16)));
        }
        return new(LaneGather.Gather16(source, offset, stride));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane16 value, Span<float> destination, int offset) => value.V.StoreUnsafe(ref MemoryMarshal.GetReference(destination.Slice(offset, 16)));
    /// <summary>
    /// Stores the first <paramref name="count"/> lanes with a masked store where AVX-512 has one. Blending with the
    /// values loaded from the destination instead stalls when the previous store overlapped part of it (a pooled row
    /// of 14 or 5 values after the row before it): the load cannot be forwarded from that store and waits for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreFirst(Lane16 value, Span<float> destination, int offset, int count)
    {
        ref float d = ref MemoryMarshal.GetReference(destination.Slice(offset, 16));
        var keep = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        if (Avx512F.IsSupported)
        {
            fixed (float* p = &d) Avx512F.MaskStore(p, keep, value.V);
            return;
        }
        Vector512.ConditionalSelect(keep, value.V, Vector512.LoadUnsafe(ref d)).StoreUnsafe(ref d);
    }
    public override string ToString() => V.ToString();
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4 Load(ReadOnlySpan<float> source, int offset) => new(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(source.Slice(offset, 4))));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane4 LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        if (stride == 2)
        {
            // the even elements of two vectors (what the other widths read too: 2 x Count values)
            var s = source.Slice(offset, 8);
            ref float s0 = ref MemoryMarshal.GetReference(s);
            var lo = Vector128.LoadUnsafe(ref s0);
            var hi = Vector128.LoadUnsafe(ref s0, 4);
            if (AdvSimd.Arm64.IsSupported) return new(AdvSimd.Arm64.UnzipEven(lo, hi));
            if (Sse.IsSupported) return new(Sse.Shuffle(lo, hi, 0b10_00_10_00));
            return new(Vector128.Create(s[0], s[2], s[4], s[6]));
        }
        return new(LaneGather.Gather4(source, offset, stride));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane4 value, Span<float> destination, int offset) => value.V.StoreUnsafe(ref MemoryMarshal.GetReference(destination.Slice(offset, 4)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(Lane4 value, Span<float> destination, int offset, int count)
    {
        ref float d = ref MemoryMarshal.GetReference(destination.Slice(offset, 4));
        var keep = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle();
        Vector128.ConditionalSelect(keep, value.V, Vector128.LoadUnsafe(ref d)).StoreUnsafe(ref d);
    }
    public override string ToString() => V.ToString();
}

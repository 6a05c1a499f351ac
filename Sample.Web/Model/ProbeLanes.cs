using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CnnGen.Sample.Web.Model;

/// <summary>
/// Probes for the page's diagnostics (<c>?selftest</c>), never used for the page's predictions or training: Lane4 with
/// one difference each, to find what makes Lane4 slow or wrong in this browser. <see cref="Lane4Mad"/> computes
/// <c>a * b + c</c> with two roundings instead of Lane4's exact fused multiply-add emulation (different numerics).
/// </summary>
public readonly struct Lane4Mad : ILane<Lane4Mad>
{
    public readonly Vector128<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Lane4Mad(Vector128<float> v) => V = v;
    public static int Count => 4;
    public static Lane4Mad Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Broadcast(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad operator +(Lane4Mad a, Lane4Mad b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad operator -(Lane4Mad a, Lane4Mad b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad operator *(Lane4Mad a, Lane4Mad b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad operator /(Lane4Mad a, Lane4Mad b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad FusedMultiplyAdd(Lane4Mad a, in Lane4Mad b, Lane4Mad c) => new(a.V * b.V + c.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad MultiplyAdd(Lane4Mad a, float b, Lane4Mad c) => new(a.V * Vector128.Create(b) + c.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Max(Lane4Mad a, Lane4Mad b) => new(Vector128.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Exp(Lane4Mad a) => new(Vector128.Exp(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad GreaterThan(Lane4Mad a, Lane4Mad b) => new(Vector128.GreaterThan(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Equal(Lane4Mad a, Lane4Mad b) => new(Vector128.Equals(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Select(Lane4Mad mask, Lane4Mad ifTrue, Lane4Mad ifFalse) => new(Vector128.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad And(Lane4Mad a, Lane4Mad b) => new(a.V & b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Or(Lane4Mad a, Lane4Mad b) => new(a.V | b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad AndNot(Lane4Mad a, Lane4Mad b) => new(Vector128.AndNot(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Lane4Mad a) => Vector128.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lane4Mad Load(ReadOnlySpan<float> source, int offset) => new(Vector128.Create(source.Slice(offset, 4)));
    public static Lane4Mad LoadStrided(ReadOnlySpan<float> source, int offset, int stride)
    {
        if (stride == 1) return Load(source, offset);
        var s = source.Slice(offset, 4 * stride);
        return new(Vector128.Create(s[0], s[stride], s[2 * stride], s[3 * stride]));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lane4Mad value, Span<float> destination, int offset) => value.V.CopyTo(destination.Slice(offset, 4));
    public static void StoreFirst(Lane4Mad value, Span<float> destination, int offset, int count)
    {
        var d = destination.Slice(offset, 4);
        var keep = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle();
        Vector128.ConditionalSelect(keep, value.V, Vector128.Create((ReadOnlySpan<float>)d)).CopyTo(d);
    }
}

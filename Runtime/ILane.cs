using System;

namespace CnnGen;

/// <summary>
/// One value per sample for a group of samples held side by side in SIMD lanes: the element type of every
/// activation in generated code. <see cref="Lane1"/> holds one sample (single-sample prediction, gradient
/// checks), <see cref="Lane4"/> four (Vector128), <see cref="Lane8"/> eight (Vector256), <see cref="Lane16"/> sixteen (Vector512).
/// Generated kernels are generic over this interface, so one emitted body serves every width; the JIT
/// specializes each instantiation and inlines every member.
/// </summary>
public interface ILane<TSelf> where TSelf : unmanaged, ILane<TSelf>
{
    /// <summary>Samples per value.</summary>
    static abstract int Count { get; }
    /// <summary>All lanes 0.</summary>
    static abstract TSelf Zero { get; }
    /// <summary>All lanes set to <paramref name="value"/>.</summary>
    static abstract TSelf Broadcast(float value);

    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary><c>a * b + c</c> with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, in TSelf b, TSelf c);
    /// <summary><c>a * broadcast(b) + c</c> with one rounding: one inlined call per unrolled kernel tap.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, float b, TSelf c);
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf Exp(TSelf a);

    /// <summary>Lane mask (all bits set where true) of <c>a &gt; b</c>.</summary>
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    /// <summary>Lane mask of <c>a == b</c>.</summary>
    static abstract TSelf Equal(TSelf a, TSelf b);
    /// <summary>Per lane: <paramref name="mask"/> set ? <paramref name="ifTrue"/> : <paramref name="ifFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf ifTrue, TSelf ifFalse);
    static abstract TSelf And(TSelf a, TSelf b);
    static abstract TSelf Or(TSelf a, TSelf b);
    /// <summary><c>a &amp; ~b</c>.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);

    /// <summary>Sum of all lanes.</summary>
    static abstract float Sum(TSelf a);

    // Single-sample kernels (Predict) hold Count adjacent positions of one sample per value instead of Count samples.

    /// <summary>Lane i = <c>source[offset + i]</c>; throws if the <see cref="Count"/> values do not all exist.</summary>
    static abstract TSelf Load(ReadOnlySpan<float> source, int offset);
    /// <summary>
    /// Lane i = <c>source[offset + i * stride]</c> (stride &gt;= 1). Needs <c>Count * stride</c> values from
    /// <paramref name="offset"/> on: some widths read whole vectors and keep every stride-th value.
    /// </summary>
    static abstract TSelf LoadStrided(ReadOnlySpan<float> source, int offset, int stride);
    /// <summary><c>destination[offset + i]</c> = lane i for every lane.</summary>
    static abstract void Store(TSelf value, Span<float> destination, int offset);
    /// <summary>
    /// <c>destination[offset + i]</c> = lane i for the first <paramref name="count"/> lanes only; the values after them
    /// stay as they are (they are read and written back, so <see cref="Count"/> values must exist).
    /// </summary>
    static abstract void StoreFirst(TSelf value, Span<float> destination, int offset, int count);
}

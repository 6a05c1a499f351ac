using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen;

/// <summary>
/// A fixed-size buffer of lane values whose first element sits on a 64-byte boundary, allocated once on the pinned
/// object heap. Arrays of <c>Vector512</c>-sized elements start 16 bytes past a boundary, which splits every load and
/// store across two cache lines (measured: 35% slower LeNet-5 training); generated workspaces use this instead.
/// </summary>
public sealed class LaneBuffer<TLane> where TLane : unmanaged
{
    private const int Alignment = 64;
    private readonly byte[] _raw;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed values.</summary>
    public unsafe LaneBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        int bytes = checked(length * Unsafe.SizeOf<TLane>());
        _raw = GC.AllocateArray<byte>(bytes + Alignment, pinned: true);
        ref byte start = ref MemoryMarshal.GetArrayDataReference(_raw);
        nint address = (nint)Unsafe.AsPointer(ref start);
        _offset = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1));
    }

    /// <summary>Values in the buffer.</summary>
    public int Length { get; }

    /// <summary>The whole buffer.</summary>
    public Span<TLane> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MemoryMarshal.CreateSpan(ref Unsafe.As<byte, TLane>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_raw), _offset)), Length);
    }

    /// <summary>Part of the buffer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<TLane> Slice(int start, int length) => Span.Slice(start, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator Span<TLane>(LaneBuffer<TLane> buffer) => buffer.Span;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator ReadOnlySpan<TLane>(LaneBuffer<TLane> buffer) => buffer.Span;
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CnnGen;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

public sealed class LaneBufferTests
{
    private static unsafe long Address<T>(Span<T> span) where T : unmanaged => (long)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4704)]
    public void Buffers_start_on_a_64_byte_boundary_and_are_zeroed(int length)
    {
        // Allocate several in a row so that different heap offsets are exercised.
        for (int i = 0; i < 8; i++)
        {
            var lanes = new LaneBuffer<Lane16>(length);
            var floats = new LaneBuffer<float>(length * 3 + i);
            Assert.Equal(0, Address(lanes.Span) % 64);
            Assert.Equal(0, Address(floats.Span) % 64);
            Assert.Equal(length, lanes.Span.Length);
            Assert.Equal(length * 3 + i, floats.Length);
            foreach (var v in MemoryMarshal.Cast<Lane16, float>(lanes.Span)) Assert.Equal(0f, v);
        }
    }

    [Fact]
    public void Slices_and_conversions_see_the_same_memory()
    {
        var buffer = new LaneBuffer<float>(10);
        Span<float> span = buffer;
        span[3] = 5f;
        ReadOnlySpan<float> view = buffer;
        Assert.Equal(5f, view[3]);
        Assert.Equal(5f, buffer.Slice(2, 4)[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LaneBuffer<float>(-1));
    }
}

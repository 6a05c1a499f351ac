using System;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// Every vector width against <see cref="Lane1"/>, member by member and bit for bit, and the width
/// <see cref="NetworkWorkspace.PreferredLanes"/> picks. Under Numerics so CI runs it with AVX-512 off and with AVX off
/// (Vector128 the widest accelerated width: Lane4 in hardware, Lane8/Lane16 in software).
/// </summary>
public class LaneWidthTests(ITestOutputHelper output)
{
    [Fact]
    public void PreferredLanes_is_the_widest_accelerated_vector()
    {
        int expected = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 1;
        output.WriteLine($"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}: preferred lanes {NetworkWorkspace.PreferredLanes}");
        Assert.Equal(expected, NetworkWorkspace.PreferredLanes);
        // what DOTNET_EnableAVX=0 (and ARM64, WebAssembly SIMD) gives: 128-bit vectors only, and then 4 lanes
        if (!Vector256.IsHardwareAccelerated && Vector128.IsHardwareAccelerated) Assert.Equal(4, NetworkWorkspace.PreferredLanes);
        Assert.True(LaneWidths.IsSupported(NetworkWorkspace.PreferredLanes));
    }

    [Fact]
    public void LaneWidths_lists_1_4_8_16_and_their_lane_types()
    {
        Assert.Equal([16, 8, 4, 1], LaneWidths.All.ToArray());
        foreach (int lanes in LaneWidths.All)
        {
            Assert.True(LaneWidths.IsSupported(lanes));
            var type = LaneWidths.LaneType(lanes)!;
            Assert.Equal(lanes, (int)type.GetProperty("Count")!.GetValue(null)!);
            Assert.Contains(lanes.ToString(), LaneWidths.Description);
        }
        foreach (int lanes in new[] { -1, 0, 2, 3, 5, 12, 32 })
        {
            Assert.False(LaneWidths.IsSupported(lanes));
            Assert.Null(LaneWidths.LaneType(lanes));
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FlatNet().CreateWorkspace(2, 3));
        Assert.Contains("Lanes must be 1, 4, 8 or 16.", e.Message);
        Assert.IsType<FlatNet.Workspace<Lane4>>(new FlatNet().CreateWorkspace(4, 3));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void Every_member_agrees_with_Lane1_bit_for_bit(int lanes)
    {
        switch (lanes)
        {
            case 4: AgreesWithLane1<Lane4>(); break;
            case 8: AgreesWithLane1<Lane8>(); break;
            case 16: AgreesWithLane1<Lane16>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(lanes));
        }
    }

    private static float[] Values(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var v = new float[n];
        float[] special = [0f, -0f, 1f, -1f, 1e-30f, -1e30f, 88.7f, -103.9f, 89f, -88f, float.Epsilon, 3.4e38f];
        for (int i = 0; i < n; i++)
            v[i] = i % 5 == 0 ? special[(i / 5) % special.Length] : (float)(rng.NextGaussian() * Math.Pow(10, rng.NextDouble() * 4 - 2));
        return v;
    }

    private static int Bits(float f) => BitConverter.SingleToInt32Bits(f);

    private static void Same(float expected, float actual, string what, int i)
    {
        if (float.IsNaN(expected) && float.IsNaN(actual) && what == "Max") return; // which NaN is not specified
        Assert.True(Bits(expected) == Bits(actual), $"{what}[{i}]: lanes {actual:R} (0x{Bits(actual):X8}) vs Lane1 {expected:R} (0x{Bits(expected):X8})");
    }

    private delegate TLane Binary<TLane>(TLane a, TLane b, TLane c);

    private static void AgreesWithLane1<TLane>() where TLane : unmanaged, ILane<TLane>
    {
        int n = TLane.Count;
        Assert.Equal(n, System.Runtime.CompilerServices.Unsafe.SizeOf<TLane>() / sizeof(float));
        const int Rounds = 40;
        var a = Values(Rounds * n, 1);
        var b = Values(Rounds * n, 2);
        var c = Values(Rounds * n, 3);
        b[7] = float.NaN; // Max propagates NaN at every width
        var got = new float[n];

        void Check(string what, Binary<TLane> wide, Binary<Lane1> scalar)
        {
            for (int r = 0; r < Rounds; r++)
            {
                int o = r * n;
                TLane.Store(wide(TLane.Load(a, o), TLane.Load(b, o), TLane.Load(c, o)), got, 0);
                for (int i = 0; i < n; i++)
                    Same(scalar(Lane1.Load(a, o + i), Lane1.Load(b, o + i), Lane1.Load(c, o + i)).Value, got[i], what, o + i);
            }
        }

        Check("Zero", (x, y, z) => TLane.Zero, (x, y, z) => Lane1.Zero);
        Check("Broadcast", (x, y, z) => TLane.Broadcast(-2.5f), (x, y, z) => Lane1.Broadcast(-2.5f));
        Check("+", (x, y, z) => x + y, (x, y, z) => x + y);
        Check("-", (x, y, z) => x - y, (x, y, z) => x - y);
        Check("*", (x, y, z) => x * y, (x, y, z) => x * y);
        Check("/", (x, y, z) => x / z, (x, y, z) => x / z);
        Check("FusedMultiplyAdd", (x, y, z) => TLane.FusedMultiplyAdd(x, y, z), (x, y, z) => Lane1.FusedMultiplyAdd(x, y, z));
        Check("MultiplyAdd", (x, y, z) => TLane.MultiplyAdd(x, 0.37f, z), (x, y, z) => Lane1.MultiplyAdd(x, 0.37f, z));
        Check("Max", (x, y, z) => TLane.Max(x, y), (x, y, z) => Lane1.Max(x, y));
        Check("Exp", (x, y, z) => TLane.Exp(x), (x, y, z) => Lane1.Exp(x));
        Check("Exp(-|x|)", (x, y, z) => TLane.Exp(TLane.Zero - TLane.Max(x, TLane.Zero - x)), (x, y, z) => Lane1.Exp(Lane1.Zero - Lane1.Max(x, Lane1.Zero - x)));
        Check("GreaterThan", (x, y, z) => TLane.GreaterThan(x, y), (x, y, z) => Lane1.GreaterThan(x, y));
        Check("Equal", (x, y, z) => TLane.Equal(x, TLane.Max(x, z)), (x, y, z) => Lane1.Equal(x, Lane1.Max(x, z)));
        Check("Select", (x, y, z) => TLane.Select(TLane.GreaterThan(x, z), y, z), (x, y, z) => Lane1.Select(Lane1.GreaterThan(x, z), y, z));
        Check("And", (x, y, z) => TLane.And(x, z), (x, y, z) => Lane1.And(x, z));
        Check("Or", (x, y, z) => TLane.Or(x, z), (x, y, z) => Lane1.Or(x, z));
        Check("AndNot", (x, y, z) => TLane.AndNot(x, z), (x, y, z) => Lane1.AndNot(x, z));

        // Sum of small integers is exact in any order
        var ints = new float[n];
        for (int i = 0; i < n; i++) ints[i] = i * 3 - 7;
        float expectedSum = 0;
        for (int i = 0; i < n; i++) expectedSum += Lane1.Sum(Lane1.Load(ints, i));
        Assert.Equal(expectedSum, TLane.Sum(TLane.Load(ints, 0)));

        // LoadStrided: lane i = source[offset + i * stride], Count * stride values needed
        var source = Values(16 * 9 + 3, 4);
        foreach (int stride in new[] { 1, 2, 3, 4, 7 })
            for (int offset = 0; offset <= 3; offset++)
            {
                TLane.Store(TLane.LoadStrided(source, offset, stride), got, 0);
                for (int i = 0; i < n; i++) Same(Lane1.LoadStrided(source, offset + i * stride, stride).Value, got[i], $"LoadStrided(stride {stride}, offset {offset})", i);
                int tooShort = offset + n * stride - 1;
                Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TLane.LoadStrided(source.AsSpan(0, tooShort), offset, stride));
            }
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TLane.Load(source.AsSpan(0, n + 1), 2));

        // StoreFirst: the first count lanes only; the values after them and around stay
        var value = TLane.Load(a, 0);
        for (int count = 0; count <= n; count++)
        {
            var d = new float[n + 4];
            d.AsSpan().Fill(-9f);
            TLane.StoreFirst(value, d, 2, count);
            for (int i = 0; i < d.Length; i++)
                Same(i >= 2 && i < 2 + count ? a[i - 2] : -9f, d[i], $"StoreFirst(count {count})", i);
            var single = new float[n + 4];
            single.AsSpan().Fill(-9f);
            for (int i = 0; i < n; i++) Lane1.StoreFirst(Lane1.Load(a, i), single, 2 + i, count > i ? 1 : 0);
            Assert.Equal(single, d);
        }
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TLane.StoreFirst(value, new float[n + 1], 2, 1));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TLane.Store(value, new float[n + 1], 2));
    }
}

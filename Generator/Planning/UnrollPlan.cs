using System;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning;

/// <summary>How much of each kernel window is written out as straight-line statements, and in what blocks.</summary>
internal static class UnrollPlan
{
    /// <summary>
    /// Straight-line lane statements one emitted method may hold. Each is one inlined call into the lane type;
    /// past about 450 per method the JIT's inlining budget runs out and the rest become real calls (10-20x slower).
    /// </summary>
    public const int Budget = 450;
    /// <summary>Largest channel block with its own accumulators (16 of the 32 vector registers).</summary>
    public const int MaxChannelBlock = 16;
    /// <summary>Most output channels per block in single-sample (Predict) convolution kernels.</summary>
    public const int PredictChannelBlock = 8;

    /// <summary>
    /// Unroll the whole window times a channel block when it fits the budget: each tap costs one load plus one
    /// statement per channel (plus <paramref name="extra"/> for read-modify-write kernels).
    /// </summary>
    public static Unrolling Choose(int taps, int channels, int extra, int unrollMode, int maxBlock = MaxChannelBlock)
    {
        if (unrollMode == 2) return new Unrolling(false, 1);
        for (int block = Math.Min(channels, maxBlock); block >= 1; block--)
        {
            int tail = channels % block;
            long cost = (long)taps * (block + extra) + (tail > 0 ? (long)taps * (tail + extra) : 0);
            if (cost <= Budget) return new Unrolling(true, block);
        }
        return new Unrolling(false, 1);
    }

    /// <summary>
    /// Widens a small forward channel block across adjacent output columns (which must divide the output width)
    /// while the accumulators stay at most 18 and the statements within the budget.
    /// </summary>
    public static Unrolling WithPositionBlock(Unrolling u, int taps, int channels, int outputWidth) =>
        u.Taps ? WidestPositionBlock(u, taps, channels, outputWidth, (n, p) => n * p <= 18) : u;

    /// <summary>
    /// Where 32 vector registers hold it, the forward kernel's block of 16 channels x 1 column as 8 channels x 2 columns
    /// (an even output width) with each weight broadcast once into a register for both columns: half the broadcast loads
    /// per FMA. Measured on a Zen 5 (full-rate 512-bit FMA), alternating builds, batch inference 4-7% faster on one thread
    /// and up to 12% on two, training unchanged. Kept to the budget, counting the broadcasts as statements.
    /// </summary>
    public static Unrolling WithSharedWeights(Unrolling u, int taps, int channels, int outputWidth)
    {
        if (!u.Taps || u.ChannelBlock != 16 || u.PositionBlock != 1 || outputWidth % 2 != 0) return u;
        var shared = new Unrolling(true, 8, 2, SharedWeights: true);
        return ForwardCost(shared, taps, channels % 8) <= Budget ? shared : u;
    }

    /// <summary>Statements of a forward kernel unrolled as <paramref name="u"/>, with a tail block of <paramref name="tail"/> channels.</summary>
    public static long ForwardCost(Unrolling u, int taps, int tail)
    {
        long Block(int n) => u.SharedWeights
            ? (long)taps * (u.PositionBlock + n + n * u.PositionBlock)
            : (long)taps * (n + 1) * u.PositionBlock;
        return Block(u.ChannelBlock) + (tail > 0 ? Block(tail) : 0);
    }

    /// <summary>The widest column block of 4, 3 or 2 (dividing the output width) that <paramref name="fits"/> and the budget allows, else <paramref name="u"/>.</summary>
    private static Unrolling WidestPositionBlock(Unrolling u, int taps, int channels, int outputWidth, Func<int, int, bool> fits)
    {
        int tail = channels % u.ChannelBlock;
        for (int p = 4; p >= 2; p--)
        {
            if (outputWidth % p != 0 || !fits(u.ChannelBlock, p)) continue;
            var blocked = u with { PositionBlock = p };
            if (ForwardCost(blocked, taps, tail) <= Budget) return blocked;
        }
        return u;
    }

    /// <summary>
    /// The forward kernel's form for 16 vector registers, or null where <paramref name="wide"/> already fits them: its
    /// accumulators, the loaded inputs and the broadcast weight at most 15 registers (8 channels, or fewer channels
    /// times adjacent columns).
    /// </summary>
    public static Unrolling? NarrowForward(Unrolling wide, int taps, int channels, int outputWidth)
    {
        if (!wide.Taps || FitsNarrowForward(wide.ChannelBlock, wide.PositionBlock)) return null;
        return WidestPositionBlock(new Unrolling(true, Math.Min(channels, 8)), taps, channels, outputWidth, FitsNarrowForward);
    }

    /// <summary>Most weight-gradient accumulators of one pass in the 16-register form (with the output gradient, 14 registers).</summary>
    public const int NarrowWeightGradientTaps = 13;

    private static bool FitsNarrowForward(int channels, int positions) => channels * positions + positions <= 14;

    /// <summary>Statements of the cheapest unrolling (a block of one channel), as counted by <see cref="Choose"/>.</summary>
    public static long MinimalCost(int taps, int extra) => (long)taps * (1 + extra);

    /// <summary>Taps of the input-gradient kernel accumulated at once: enough independent chains to hide FMA latency, within 28 registers.</summary>
    public static int TapGroup(int taps, int channels) => Math.Max(1, Math.Min(taps, Math.Min(13, 28 - channels)));

    /// <summary>
    /// Output channels per block of the input-gradient kernel's form for 16 vector registers (x64 without AVX-512):
    /// the block's output gradients, its tap accumulators and the broadcast weight must all stay in registers, or
    /// the JIT keeps the accumulators on the stack (a load and a store around every FMA, measured on AVX2).
    /// </summary>
    public const int NarrowDxChannelBlock = 4;

    /// <summary>Taps accumulated at once by the 16-register form: block plus taps at most 14 (with the broadcast weight, 15 registers).</summary>
    public static int NarrowTapGroup(int taps, int channels) => Math.Max(1, Math.Min(taps, Math.Min(13, 14 - channels)));

    /// <summary>Whether a block of <paramref name="channels"/> and <paramref name="group"/> taps (plus the broadcast weight) fits 16 registers.</summary>
    public static bool FitsNarrow(int channels, int group) => channels + group <= 14;
}

using System.Runtime.CompilerServices;
using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CnnGen;

/// <summary>
/// Network-agnostic numerics that generated code calls: softmax with cross-entropy, dropout masks.
/// All work on the lanes layout (see <see cref="INetwork"/>), reinterpreted as floats.
/// </summary>
public static class Kernels
{
    /// <summary>0, 1, ..., 15: lane indices as floats, for masks such as "lanes from k on" (<c>GreaterThan(Load(Ramp, 0), k - 0.5)</c>).</summary>
    public static ReadOnlySpan<float> Ramp => [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f];

    /// <summary>
    /// Softmax cross-entropy over <paramref name="classes"/> logits per sample, numerically stable (max subtracted).
    /// Writes <c>dlogits = scale * (p - onehot(label))</c> for valid samples and 0 for padding lanes.
    /// </summary>
    /// <param name="logits">groups x classes x lanes, interleaved.</param>
    public static StepResult SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int count, int lanes,
                                                 int classes, float scale, Span<float> dlogits)
    {
        if (labels.Length < count)
            throw new ArgumentException($"{labels.Length} labels for a batch of {count} samples.", nameof(labels));
        double lossSum = 0;
        int correct = 0;
        int groups = (count + lanes - 1) / lanes;
        bool wantGradient = !dlogits.IsEmpty;
        for (int g = 0; g < groups; g++)
        {
            // seek to logits[g,:,:]
            int baseOffset = g * classes * lanes;
            for (int l = 0; l < lanes; l++)
            {
                int s = g * lanes + l;
                if (s >= count)
                {
                    if (wantGradient)
                        for (int k = 0; k < classes; k++) dlogits[baseOffset + k * lanes + l] = 0f;
                    continue;
                }
                int label = labels[s];
                if ((uint)label >= (uint)classes)
                    throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label of sample {s} is {label}; the network has classes 0..{classes - 1}.");
                // max for stability, and the arg-max for accuracy (first maximum wins)
                float max = float.NegativeInfinity;
                int argMax = 0;
                for (int k = 0; k < classes; k++)
                {
                    float v = logits[baseOffset + k * lanes + l];
                    if (v > max) { max = v; argMax = k; }
                }
                double sum = 0;
                for (int k = 0; k < classes; k++)
                    sum += Math.Exp(logits[baseOffset + k * lanes + l] - max);
                double logSum = Math.Log(sum);
                lossSum += logSum - (logits[baseOffset + label * lanes + l] - max);
                if (argMax == label) correct++;
                if (wantGradient)
                {
                    for (int k = 0; k < classes; k++)
                    {
                        double p = Math.Exp(logits[baseOffset + k * lanes + l] - max - logSum);
                        dlogits[baseOffset + k * lanes + l] = (float)(scale * (p - (k == label ? 1.0 : 0.0)));
                    }
                }
            }
        }
        return new StepResult(lossSum, correct);
    }

    /// <summary>Softmax of interleaved logits into sample-major probabilities (<paramref name="count"/> x <paramref name="classes"/>).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, int count, int lanes, int classes, Span<float> probabilities)
    {
        if (probabilities.Length < count * classes)
            throw new ArgumentException($"Probabilities hold {probabilities.Length} values; {count} samples x {classes} classes need {count * classes}.", nameof(probabilities));
        for (int s = 0; s < count; s++)
        {
            int g = s / lanes, l = s % lanes;
            int baseOffset = g * classes * lanes;
            float max = float.NegativeInfinity;
            for (int k = 0; k < classes; k++) max = MathF.Max(max, logits[baseOffset + k * lanes + l]);
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += Math.Exp(logits[baseOffset + k * lanes + l] - max);
            for (int k = 0; k < classes; k++)
                probabilities[s * classes + k] = (float)(Math.Exp(logits[baseOffset + k * lanes + l] - max) / sum);
        }
    }

    /// <summary>
    /// Fills an inverted-dropout mask in lanes layout: each value is 0 with probability <paramref name="rate"/>,
    /// else <c>1 / (1 - rate)</c>. The draw for (sample, element) depends only on the seed, the layer and those
    /// two indices, so every lane width and batch split draws the same mask.
    /// </summary>
    public static void DropoutMask(Span<float> mask, int groups, int size, int lanes, float rate, ulong seed, int layer)
    {
        float keep = 1f / (1f - rate);
        ulong threshold = (ulong)(rate * 4294967296.0);
        ulong layerSeed = Rng.Derive(seed, (ulong)layer);
        if (lanes % 8 == 0 && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && mask.Length >= groups * size * lanes)
        {
            DropoutMaskVector(mask, groups, size, lanes, keep, threshold, layerSeed);
            return;
        }
        for (int g = 0; g < groups; g++)
            for (int e = 0; e < size; e++)
                for (int l = 0; l < lanes; l++)
                {
                    ulong s = (ulong)(g * lanes + l);
                    ulong bits = Rng.Mix(layerSeed ^ Rng.Mix(s * 0x100000001B3UL + (ulong)e)) >> 32;
                    mask[(g * size + e) * lanes + l] = bits < threshold ? 0f : keep;
                }
    }

    /// <summary>
    /// <see cref="DropoutMask"/> eight lanes at a time in 64-bit vector arithmetic: the same SplitMix64 bits for every
    /// (sample, element), so the same mask as the scalar loop, bit for bit.
    /// </summary>
    private static void DropoutMaskVector(Span<float> mask, int groups, int size, int lanes, float keep, ulong threshold, ulong layerSeed)
    {
        var k = System.Runtime.Intrinsics.Vector512.Create(0x100000001B3UL);
        var layerBits = System.Runtime.Intrinsics.Vector512.Create(layerSeed);
        var limit = System.Runtime.Intrinsics.Vector512.Create(threshold);
        var keepValue = System.Runtime.Intrinsics.Vector256.Create(keep);
        var laneIndex = System.Runtime.Intrinsics.Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
        for (int g = 0; g < groups; g++)
            for (int l0 = 0; l0 < lanes; l0 += 8)
            {
                // s * K for the eight samples g * lanes + l0 .. + 7; element e adds e before the first mix
                var sk = (System.Runtime.Intrinsics.Vector512.Create((ulong)(g * lanes + l0)) + laneIndex) * k;
                for (int e = 0; e < size; e++)
                {
                    var bits = System.Runtime.Intrinsics.Vector512.ShiftRightLogical(
                        Mix(layerBits ^ Mix(sk + System.Runtime.Intrinsics.Vector512.Create((ulong)e))), 32);
                    // dropped where bits < threshold: 0, else keep
                    var dropped = System.Runtime.Intrinsics.Vector512.LessThan(bits, limit);
                    var narrowed = System.Runtime.Intrinsics.Vector512.Narrow(dropped, System.Runtime.Intrinsics.Vector512<ulong>.Zero).GetLower();
                    var values = System.Runtime.Intrinsics.Vector256.AndNot(keepValue, narrowed.AsSingle());
                    values.CopyTo(mask.Slice((g * size + e) * lanes + l0, 8));
                }
            }
    }

    /// <summary>The SplitMix64 finalizer (<see cref="Rng.Mix"/>) on eight values.</summary>
    private static System.Runtime.Intrinsics.Vector512<ulong> Mix(System.Runtime.Intrinsics.Vector512<ulong> z)
    {
        z = (z ^ System.Runtime.Intrinsics.Vector512.ShiftRightLogical(z, 30)) * System.Runtime.Intrinsics.Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ System.Runtime.Intrinsics.Vector512.ShiftRightLogical(z, 27)) * System.Runtime.Intrinsics.Vector512.Create(0x94D049BB133111EBUL);
        return z ^ System.Runtime.Intrinsics.Vector512.ShiftRightLogical(z, 31);
    }

    /// <summary>Samples per transposed chunk of <see cref="DenseWeightGradient"/>; its scratch holds (inputs + outputs) x this many floats.</summary>
    public const int DenseChunkSamples = 64;

    /// <summary>
    /// Dense weight gradient <c>dw[o, i] += sum over samples of dy[o] * x[i]</c> without a horizontal sum per weight:
    /// up to <see cref="DenseChunkSamples"/> samples at a time are transposed to [sample][feature] in
    /// <paramref name="scratch"/> and applied as one rank-n update, vectorized along the inputs, four rows of dw at a time
    /// so that each loaded input vector serves four FMAs. Every weight sums its samples in order (one FMA each), so
    /// the result does not depend on the lane width or the chunking.
    /// </summary>
    /// <param name="dy">groups x outputs x lanes, interleaved.</param>
    /// <param name="x">groups x inputs x lanes, interleaved.</param>
    /// <param name="scratch">At least (inputs + outputs) x lanes floats; (inputs + outputs) x <see cref="DenseChunkSamples"/> (or more) lets whole chunks through.</param>
    public static void DenseWeightGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int groups, int lanes, int outputs, int inputs,
                                           Span<float> dw, Span<float> scratch)
    {
        if (dw.Length < outputs * inputs) throw new ArgumentException("dw is too small.", nameof(dw));
        int chunkGroups = scratch.Length / ((inputs + outputs) * lanes);
        if (chunkGroups < 1) throw new ArgumentException($"Scratch holds {scratch.Length} values; one lane group needs {(inputs + outputs) * lanes}.", nameof(scratch));
        chunkGroups = Math.Min(chunkGroups, Math.Max(1, DenseChunkSamples / lanes));
        for (int g0 = 0; g0 < groups; g0 += chunkGroups)
        {
            int gn = Math.Min(chunkGroups, groups - g0), n = gn * lanes;
            var xt = scratch.Slice(0, n * inputs);
            var dyt = scratch.Slice(n * inputs, n * outputs);
            // transpose the chunk: xt[s, i] = x[g, i, l] and dyt[s, o] = dy[g, o, l] for sample s = (g - g0) * lanes + l
            for (int g = 0; g < gn; g++)
            {
                var xg = x.Slice((g0 + g) * inputs * lanes, inputs * lanes);
                var dyg = dy.Slice((g0 + g) * outputs * lanes, outputs * lanes);
                Transpose(xg, inputs, lanes, xt.Slice(g * lanes * inputs, lanes * inputs));
                Transpose(dyg, outputs, lanes, dyt.Slice(g * lanes * outputs, lanes * outputs));
            }
            RankUpdate(dyt, xt, n, outputs, inputs, dw);
        }
    }

    /// <summary>One lane group, features x lanes, to lanes x features: each output row written in order.</summary>
    private static void Transpose(ReadOnlySpan<float> group, int features, int lanes, Span<float> rows)
    {
        for (int l = 0; l < lanes; l++)
        {
            var row = rows.Slice(l * features, features);
            for (int f = 0; f < row.Length; f++)
                row[f] = group[f * lanes + l];
        }
    }

    /// <summary><c>dw[o, i] += sum over s &lt; n of dyt[s, o] * xt[s, i]</c>, each weight's samples in order.</summary>
    private static void RankUpdate(ReadOnlySpan<float> dyt, ReadOnlySpan<float> xt, int n, int outputs, int inputs, Span<float> dw)
    {
        if (xt.Length < n * inputs || dyt.Length < n * outputs || dw.Length < outputs * inputs)
            throw new ArgumentException("RankUpdate: a buffer is too small.");
        int o = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // Four rows x two vectors of inputs: 8 accumulators, 6 loads per 8 FMAs. The lengths were checked above, so
            // the loop reads through references without a bounds check per load.
            ref float x0ref = ref MemoryMarshal.GetReference(xt);
            ref float dyref = ref MemoryMarshal.GetReference(dyt);
            for (; o + 4 <= outputs; o += 4)
            {
                int i0 = 0;
                for (; i0 + 32 <= inputs; i0 += 32)
                {
                    var r0 = dw.Slice(o * inputs + i0, 32);
                    var r1 = dw.Slice((o + 1) * inputs + i0, 32);
                    var r2 = dw.Slice((o + 2) * inputs + i0, 32);
                    var r3 = dw.Slice((o + 3) * inputs + i0, 32);
                    Vector512<float> a00 = V16(r0, 0), a01 = V16(r0, 16), a10 = V16(r1, 0), a11 = V16(r1, 16);
                    Vector512<float> a20 = V16(r2, 0), a21 = V16(r2, 16), a30 = V16(r3, 0), a31 = V16(r3, 16);
                    ref float xs = ref Unsafe.Add(ref x0ref, i0);
                    ref float ds = ref Unsafe.Add(ref dyref, o);
                    for (int s = 0; s < n; s++)
                    {
                        var x0 = Vector512.LoadUnsafe(ref xs);
                        var x1 = Vector512.LoadUnsafe(ref xs, 16);
                        var d0 = Vector512.Create(ds);
                        a00 = Vector512.FusedMultiplyAdd(d0, x0, a00); a01 = Vector512.FusedMultiplyAdd(d0, x1, a01);
                        var d1 = Vector512.Create(Unsafe.Add(ref ds, 1));
                        a10 = Vector512.FusedMultiplyAdd(d1, x0, a10); a11 = Vector512.FusedMultiplyAdd(d1, x1, a11);
                        var d2 = Vector512.Create(Unsafe.Add(ref ds, 2));
                        a20 = Vector512.FusedMultiplyAdd(d2, x0, a20); a21 = Vector512.FusedMultiplyAdd(d2, x1, a21);
                        var d3 = Vector512.Create(Unsafe.Add(ref ds, 3));
                        a30 = Vector512.FusedMultiplyAdd(d3, x0, a30); a31 = Vector512.FusedMultiplyAdd(d3, x1, a31);
                        xs = ref Unsafe.Add(ref xs, inputs);
                        ds = ref Unsafe.Add(ref ds, outputs);
                    }
                    a00.CopyTo(r0); a01.CopyTo(r0.Slice(16)); a10.CopyTo(r1); a11.CopyTo(r1.Slice(16));
                    a20.CopyTo(r2); a21.CopyTo(r2.Slice(16)); a30.CopyTo(r3); a31.CopyTo(r3.Slice(16));
                }
                if (i0 < inputs)
                    for (int r = o; r < o + 4; r++)
                        RowTail(dyt, xt, n, outputs, inputs, r, i0, dw);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // The same blocks at half the width (AVX2: 8 accumulators, 2 inputs and a broadcast fit its 16 registers);
            // one row at a time instead was one dependent FMA chain per 8 weights, 13% of LeNet-5's training time there.
            ref float x0ref = ref MemoryMarshal.GetReference(xt);
            ref float dyref = ref MemoryMarshal.GetReference(dyt);
            for (; o + 4 <= outputs; o += 4)
            {
                int i0 = 0;
                for (; i0 + 16 <= inputs; i0 += 16)
                {
                    var r0 = dw.Slice(o * inputs + i0, 16);
                    var r1 = dw.Slice((o + 1) * inputs + i0, 16);
                    var r2 = dw.Slice((o + 2) * inputs + i0, 16);
                    var r3 = dw.Slice((o + 3) * inputs + i0, 16);
                    Vector256<float> a00 = V8(r0, 0), a01 = V8(r0, 8), a10 = V8(r1, 0), a11 = V8(r1, 8);
                    Vector256<float> a20 = V8(r2, 0), a21 = V8(r2, 8), a30 = V8(r3, 0), a31 = V8(r3, 8);
                    ref float xs = ref Unsafe.Add(ref x0ref, i0);
                    ref float ds = ref Unsafe.Add(ref dyref, o);
                    for (int s = 0; s < n; s++)
                    {
                        var x0 = Vector256.LoadUnsafe(ref xs);
                        var x1 = Vector256.LoadUnsafe(ref xs, 8);
                        var d0 = Vector256.Create(ds);
                        a00 = Vector256.FusedMultiplyAdd(d0, x0, a00); a01 = Vector256.FusedMultiplyAdd(d0, x1, a01);
                        var d1 = Vector256.Create(Unsafe.Add(ref ds, 1));
                        a10 = Vector256.FusedMultiplyAdd(d1, x0, a10); a11 = Vector256.FusedMultiplyAdd(d1, x1, a11);
                        var d2 = Vector256.Create(Unsafe.Add(ref ds, 2));
                        a20 = Vector256.FusedMultiplyAdd(d2, x0, a20); a21 = Vector256.FusedMultiplyAdd(d2, x1, a21);
                        var d3 = Vector256.Create(Unsafe.Add(ref ds, 3));
                        a30 = Vector256.FusedMultiplyAdd(d3, x0, a30); a31 = Vector256.FusedMultiplyAdd(d3, x1, a31);
                        xs = ref Unsafe.Add(ref xs, inputs);
                        ds = ref Unsafe.Add(ref ds, outputs);
                    }
                    a00.CopyTo(r0); a01.CopyTo(r0.Slice(8)); a10.CopyTo(r1); a11.CopyTo(r1.Slice(8));
                    a20.CopyTo(r2); a21.CopyTo(r2.Slice(8)); a30.CopyTo(r3); a31.CopyTo(r3.Slice(8));
                }
                if (i0 < inputs)
                    for (int r = o; r < o + 4; r++)
                        RowTail(dyt, xt, n, outputs, inputs, r, i0, dw);
            }
        }
        for (; o < outputs; o++)
            RowTail(dyt, xt, n, outputs, inputs, o, 0, dw);
    }

    /// <summary>Row <paramref name="o"/> of the rank update from input <paramref name="i0"/> on, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RowTail(ReadOnlySpan<float> dyt, ReadOnlySpan<float> xt, int n, int outputs, int inputs, int o, int i0, Span<float> dw)
    {
        var row = dw.Slice(o * inputs, inputs);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i0 + 16 <= inputs; i0 += 16)
            {
                var a = V16(row, i0);
                for (int s = 0; s < n; s++)
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(dyt[s * outputs + o]), V16(xt, s * inputs + i0), a);
                a.CopyTo(row.Slice(i0, 16));
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i0 + 8 <= inputs; i0 += 8)
            {
                var a = Vector256.Create((ReadOnlySpan<float>)row.Slice(i0, 8));
                for (int s = 0; s < n; s++)
                    a = Vector256.FusedMultiplyAdd(Vector256.Create(dyt[s * outputs + o]), Vector256.Create(xt.Slice(s * inputs + i0, 8)), a);
                a.CopyTo(row.Slice(i0, 8));
            }
        }
        for (; i0 < inputs; i0++)
        {
            float a = row[i0];
            for (int s = 0; s < n; s++)
                a = MathF.FusedMultiplyAdd(dyt[s * outputs + o], xt[s * inputs + i0], a);
            row[i0] = a;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> V8(ReadOnlySpan<float> source, int offset) => Vector256.Create(source.Slice(offset, 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> V16(ReadOnlySpan<float> source, int offset) => Vector512.Create(source.Slice(offset, 16));

    /// <summary>Reinterprets a read-only span of lanes as floats.</summary>
    public static ReadOnlySpan<float> AsReadOnlyFloats<TLane>(ReadOnlySpan<TLane> lanes) where TLane : unmanaged, ILane<TLane>
        => MemoryMarshal.Cast<TLane, float>(lanes);

    /// <summary>Reinterprets a span of lanes as floats.</summary>
    public static Span<float> AsFloats<TLane>(Span<TLane> lanes) where TLane : unmanaged, ILane<TLane>
        => MemoryMarshal.Cast<TLane, float>(lanes);

    /// <summary>Floats seen as lane values (<c>floats.Length / TLane.Count</c> of them), e.g. one sample as <see cref="Lane1"/>s for a batch kernel.</summary>
    public static Span<TLane> AsLanes<TLane>(Span<float> floats) where TLane : unmanaged, ILane<TLane>
        => MemoryMarshal.Cast<float, TLane>(floats);
}

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
    /// Dense weight gradient <c>dw[o, i] += sum over samples of dy[o] * x[i]</c> without a horizontal sum per weight:
    /// each lane group is transposed to [lane][feature] in <paramref name="scratch"/> and applied as one rank-<paramref name="lanes"/>
    /// update, vectorized along the inputs.
    /// </summary>
    /// <param name="dy">groups x outputs x lanes, interleaved.</param>
    /// <param name="x">groups x inputs x lanes, interleaved.</param>
    /// <param name="scratch">At least (inputs + outputs) x lanes floats.</param>
    public static void DenseWeightGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int groups, int lanes, int outputs, int inputs,
                                           Span<float> dw, Span<float> scratch)
    {
        if (dw.Length < outputs * inputs) throw new ArgumentException("dw is too small.", nameof(dw));
        var xt = scratch.Slice(0, lanes * inputs);
        var dyt = scratch.Slice(lanes * inputs, lanes * outputs);
        for (int g = 0; g < groups; g++)
        {
            // transpose the group: xt[l, i] = x[g, i, l] and dyt[l, o] = dy[g, o, l]
            var xg = x.Slice(g * inputs * lanes, inputs * lanes);
            var dyg = dy.Slice(g * outputs * lanes, outputs * lanes);
            for (int i = 0; i < inputs; i++)
                for (int l = 0; l < lanes; l++)
                    xt[l * inputs + i] = xg[i * lanes + l];
            for (int o = 0; o < outputs; o++)
                for (int l = 0; l < lanes; l++)
                    dyt[l * outputs + o] = dyg[o * lanes + l];
            // rank-lanes update, one row of dw at a time, chunks of the row kept in registers across the lanes
            for (int o = 0; o < outputs; o++)
            {
                var row = dw.Slice(o * inputs, inputs);
                int i0 = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    for (; i0 + 64 <= inputs; i0 += 64)
                    {
                        var a0 = Vector512.Create((ReadOnlySpan<float>)row.Slice(i0, 16));
                        var a1 = Vector512.Create((ReadOnlySpan<float>)row.Slice(i0 + 16, 16));
                        var a2 = Vector512.Create((ReadOnlySpan<float>)row.Slice(i0 + 32, 16));
                        var a3 = Vector512.Create((ReadOnlySpan<float>)row.Slice(i0 + 48, 16));
                        for (int l = 0; l < lanes; l++)
                        {
                            var s = Vector512.Create(dyt[l * outputs + o]);
                            var xr = xt.Slice(l * inputs + i0, 64);
                            a0 = Vector512.FusedMultiplyAdd(s, Vector512.Create((ReadOnlySpan<float>)xr.Slice(0, 16)), a0);
                            a1 = Vector512.FusedMultiplyAdd(s, Vector512.Create((ReadOnlySpan<float>)xr.Slice(16, 16)), a1);
                            a2 = Vector512.FusedMultiplyAdd(s, Vector512.Create((ReadOnlySpan<float>)xr.Slice(32, 16)), a2);
                            a3 = Vector512.FusedMultiplyAdd(s, Vector512.Create((ReadOnlySpan<float>)xr.Slice(48, 16)), a3);
                        }
                        a0.CopyTo(row.Slice(i0, 16));
                        a1.CopyTo(row.Slice(i0 + 16, 16));
                        a2.CopyTo(row.Slice(i0 + 32, 16));
                        a3.CopyTo(row.Slice(i0 + 48, 16));
                    }
                }
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; i0 + 8 <= inputs; i0 += 8)
                    {
                        var a = Vector256.Create((ReadOnlySpan<float>)row.Slice(i0, 8));
                        for (int l = 0; l < lanes; l++)
                            a = Vector256.FusedMultiplyAdd(Vector256.Create(dyt[l * outputs + o]), Vector256.Create((ReadOnlySpan<float>)xt.Slice(l * inputs + i0, 8)), a);
                        a.CopyTo(row.Slice(i0, 8));
                    }
                }
                for (; i0 < inputs; i0++)
                {
                    float a = row[i0];
                    for (int l = 0; l < lanes; l++)
                        a = MathF.FusedMultiplyAdd(dyt[l * outputs + o], xt[l * inputs + i0], a);
                    row[i0] = a;
                }
            }
        }
    }

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

/// <summary>Packs samples into the lanes layout (see <see cref="INetwork"/>).</summary>
public static class LaneLayout
{
    /// <summary>Values needed for <paramref name="count"/> samples of <paramref name="inputSize"/> at <paramref name="lanes"/>.</summary>
    public static int Length(int count, int inputSize, int lanes) => (count + lanes - 1) / lanes * inputSize * lanes;

    /// <summary>Packs sample-major floats (<paramref name="count"/> x <paramref name="inputSize"/>); padding lanes become 0.</summary>
    public static void Pack(ReadOnlySpan<float> samples, int count, int inputSize, int lanes, Span<float> destination)
    {
        int length = Length(count, inputSize, lanes);
        if (samples.Length < count * inputSize)
            throw new ArgumentException($"{samples.Length} values for {count} samples of {inputSize}.", nameof(samples));
        if (destination.Length < length)
            throw new ArgumentException($"Destination holds {destination.Length} values; {length} needed.", nameof(destination));
        destination.Slice(0, length).Clear();
        for (int s = 0; s < count; s++)
        {
            int g = s / lanes, l = s % lanes;
            var sample = samples.Slice(s * inputSize, inputSize);
            int baseOffset = g * inputSize * lanes + l;
            for (int e = 0; e < inputSize; e++)
                destination[baseOffset + e * lanes] = sample[e];
        }
    }
}

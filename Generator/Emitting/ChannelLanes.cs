using System.Collections.Generic;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Emitting;

/// <summary>
/// Single-sample convolutions with output channels in the lanes: each value of an accumulator holds TLane.Count output
/// channels of one position, and each kernel tap is one vector of packed weights times one broadcast input per
/// position. No lane is idle however narrow the output rows are (a 7-column row in 16 lanes wastes 9 of them in the
/// column form), which needs the weights as (OC/16, C, K, K, 16) instead of (OC, C, K, K): a pack kernel per thread
/// repacks them when they have changed. Each run of 16 output channels has its weights in one contiguous stretch (with
/// OC floats between taps, a large OC would map every tap to a few cache sets). The positions come out as
/// (OH, OW, OC) in scratch, turned to (OC, OH, OW) at the end.
/// Used by ungrouped Conv2D and by a residual Add's 1x1 projection when the output channels fill whole vectors of
/// every width (a multiple of 16).
/// </summary>
internal static class ChannelLanes
{
    /// <summary>Whether the output channels fill whole vectors of every width (4, 8, 16) and all see one input.</summary>
    public static bool Fits(int filters, int groups) => groups == 1 && filters % 16 == 0;

    /// <summary>
    /// Whether a convolution is faster in this form than with adjacent columns in the lanes, as measured on Zen 4
    /// (`Benchmarks predict`): when its rows leave a third or more of 16 lanes idle in the column form (10 columns
    /// run as 16, 7 as 16) and each output value takes at least 64 multiply-adds, so that turning the output to
    /// (OC, OH, OW) costs little next to it. With 14 or 28 columns the column form was as fast or faster (VGG-style
    /// convolutions), and with one input channel four times faster (a 1-channel 3x3 conv: 9 multiply-adds per value).
    /// A stride above 1 pays at any width: the column form gathers every other input (ResNet's 16->32 stride-2 conv:
    /// 27 GFLOP/s in the column form, 70 in this one).
    /// </summary>
    public static bool Pays(int filters, int groups, int channels, int kernel, int stride, int outputWidth) =>
        Fits(filters, groups) && channels * kernel * kernel >= 64 &&
        (stride > 1 || (outputWidth + 15) / 16 * 16 * 2 >= outputWidth * 3);

    /// <summary>
    /// Output columns computed together: the largest divisor of the row width from 4 to 10 (accumulators enough to hide
    /// the FMA latency, few enough for 16 registers), else 8 with a shorter block for the rest of the row.
    /// </summary>
    public static int ColumnBlock(int outputWidth)
    {
        for (int n = 10; n >= 4; n--)
            if (outputWidth % n == 0) return n;
        return System.Math.Min(outputWidth, 8);
    }

    /// <summary>The per-thread buffers: the weights as last packed, the packed weights, the (OH, OW, OC) scratch.</summary>
    public static IEnumerable<(string Name, long Size, string Comment)> Buffers(string prefix, string name, long weights, TensorShape output)
    {
        yield return ($"{prefix}_wseen", weights, $"{name}'s weights as this thread last packed them");
        yield return ($"{prefix}_wpack", weights, $"{name}'s weights packed as (OC/16, C, K, K, 16)");
        yield return ($"{prefix}_hwc", output.Size, $"{name} output as (OH, OW, OC): ({I(output.H)},{I(output.W)},{I(output.C)})");
    }

    public static KernelSignature PackKernel(string name, string prefix, string weights) =>
        new KernelSignature(name + "_Pack").Floats("w", weights).FloatsOut("seen", $"ws.{prefix}_wseen").FloatsOut("packed", $"ws.{prefix}_wpack");

    /// <summary>
    /// <c>{name}_Predict(x, wp, b?, r?, t, y)</c>: <c>r</c>, when given, is added to the output as it is turned to (OC, OH, OW)
    /// (the main path of a residual block).
    /// </summary>
    public static KernelSignature Kernel(string name, string prefix, string x, bool bias, string? residual, string y) =>
        new KernelSignature(name + "_Predict").Floats("x", x).Floats("wp", $"ws.{prefix}_wpack")
            .If(bias, k => k.Floats("b", prefix + "_b"))
            .If(residual is not null, k => k.Floats("r", residual!))
            .FloatsOut("t", $"ws.{prefix}_hwc").FloatsOut("y", y);

    public static void EmitPack(SourceWriter w, string name, string prefix, int filters, int channels, int kernel)
    {
        w.Line($"// {name}_Pack: w ({I(filters)},{I(channels)},{I(kernel)},{I(kernel)}) -> packed ({I(filters / 16)},{I(channels)},{I(kernel)},{I(kernel)},16) for {name}_Predict;");
        w.Line("// redone only when the weights differ, bit for bit, from the ones this thread packed last (a compare of");
        w.Line($"// {I(4L * filters * channels * kernel * kernel)} bytes per call instead of a repack)");
        w.Open(PackKernel(name, prefix, "").PlainDeclaration);
        w.Line($"const int OC = {I(filters)}, CKK = {I(channels * kernel * kernel)};");
        w.Line("var last = seen.Slice(0, OC * CKK);");
        w.Line("if (global::System.MemoryExtensions.SequenceEqual(global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(w),");
        w.Line("        global::System.Runtime.InteropServices.MemoryMarshal.AsBytes((" + RO + "<float>)last))) return;");
        w.Line("w.CopyTo(last);");
        w.Line("for (int oc = 0; oc < OC; oc++)");
        w.Line("    for (int i = 0; i < CKK; i++)");
        w.Line("        packed[((oc / 16) * CKK + i) * 16 + oc % 16] = w[oc * CKK + i];");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The kernel over an input of <paramref name="x"/> (already padded) with a <paramref name="kernel"/> x
    /// <paramref name="kernel"/> window at <paramref name="stride"/>; <paramref name="residual"/> adds r to the output.
    /// </summary>
    public static void EmitKernel(SourceWriter w, string name, string prefix, string what, TensorShape x, TensorShape output,
                                  int kernel, int stride, bool bias, bool residual)
    {
        int k = kernel, kk = k * k, nb = ColumnBlock(output.W), tail = output.W % nb;
        w.Line($"// {name}_Predict: {what} for one sample, each value holding TLane.Count adjacent output channels of one position");
        w.Line($"// x {Plain(x)}  wp ({I(output.C / 16)},{I(x.C)},{I(k)},{I(k)},16){(bias ? $"  b ({I(output.C)})" : "")}{(residual ? $"  r {Plain(output)}" : "")}" +
               $"  ->  t ({I(output.H)},{I(output.W)},{I(output.C)})  ->  y {Plain(output)}{(residual ? " + r" : "")}");
        w.Line(Hot);
        w.Open(Kernel(name, prefix, "", bias, residual ? "" : null, "").Declaration);
        w.Line($"const int C = {I(x.C)}, H = {I(x.H)}, W = {I(x.W)}, OC = {I(output.C)}, K = {I(k)}, S = {I(stride)}, OH = {I(output.H)}, OW = {I(output.W)};");
        w.Line("const int KK = K * K, OHW = OH * OW;");
        w.Line($"// runs of TLane.Count output channels (OC is a multiple of 16), {I(nb)} output columns of a row at a time: each tap");
        w.Line($"// loads one vector of packed weights and multiplies it by {I(nb)} broadcast inputs, one per column");
        w.Line("for (int ob = 0; ob < OC; ob += TLane.Count)");
        w.Open("for (int oh = 0; oh < OH; oh++)");
        w.Line("int ow = 0;");
        w.Line($"for (; ow + {I(nb)} <= OW; ow += {I(nb)})");
        Block(w, nb, k, bias);
        if (tail > 0)
        {
            w.Line($"// the row's last {I(tail)} columns");
            Block(w, tail, k, bias);
        }
        w.Close();
        w.Line((residual ? "// (OH, OW, OC) -> (OC, OH, OW), adding the main path" : "// (OH, OW, OC) -> (OC, OH, OW)") +
               ", 16 positions at a time (their rows of t stay in L1)");
        w.Open("for (int h0 = 0; h0 < OHW; h0 += 16)");
        w.Line("int h1 = global::System.Math.Min(h0 + 16, OHW);");
        w.Line("for (int oc = 0; oc < OC; oc++)");
        w.Line("    for (int hw = h0; hw < h1; hw++)");
        w.Line(residual ? "        y[oc * OHW + hw] = t[hw * OC + oc] + r[oc * OHW + hw];" : "        y[oc * OHW + hw] = t[hw * OC + oc];");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>One block of <paramref name="n"/> columns starting at <c>ow</c>: n accumulators of TLane.Count channels.</summary>
    private static void Block(SourceWriter w, int n, int k, bool bias)
    {
        w.Open();
        for (int j = 0; j < n; j++)
            w.Line(bias ? $"TLane a{I(j)} = TLane.Load(b, ob);" : $"TLane a{I(j)} = TLane.Zero;");
        w.Open("for (int c = 0; c < C; c++)");
        w.Line($"// seek to the windows x[c, oh*S.., ow*S..] of {I(n)} columns and to wp[ob / 16, c, :, :, ob % 16..]");
        w.Line($"var xk = x.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K + S * {I(n - 1)});");
        w.Line("var wk = wp.Slice(((ob / 16) * C + c) * KK * 16 + ob % 16, (KK - 1) * 16 + TLane.Count);");
        w.Line("TLane v;");
        if (k * k <= 25)
        {
            for (int kh = 0; kh < k; kh++)
                for (int kw = 0; kw < k; kw++)
                {
                    w.Line($"v = TLane.Load(wk, {I((kh * k + kw) * 16)});");
                    for (int j = 0; j < n; j++)
                        w.Line($"a{I(j)} = TLane.MultiplyAdd(v, xk[{I(kh)} * W + {I(kw)}{(j == 0 ? "" : $" + {I(j)} * S")}], a{I(j)});");
                }
        }
        else
        {
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Open("for (int kw = 0; kw < K; kw++)");
            w.Line("v = TLane.Load(wk, (kh * K + kw) * 16);");
            for (int j = 0; j < n; j++)
                w.Line($"a{I(j)} = TLane.MultiplyAdd(v, xk[kh * W + kw{(j == 0 ? "" : $" + {I(j)} * S")}], a{I(j)});");
            w.Close();
        }
        w.Close();
        w.Line("// seek to t[oh, ow.., ob..]");
        w.Line("int to = (oh * OW + ow) * OC + ob;");
        for (int j = 0; j < n; j++)
            w.Line($"TLane.Store(a{I(j)}, t, to{(j == 0 ? "" : $" + {I(j)} * OC")});");
        w.Close();
    }
}

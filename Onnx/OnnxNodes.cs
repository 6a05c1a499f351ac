using System;
using System.Globalization;
using System.Linq;

namespace CnnGen.Onnx;

/// <summary>What a node is in CnnGen's terms: a convolution's settings, and the attribute a node would be declared as.</summary>
internal static class OnnxNodes
{
    internal readonly record struct ConvSettings(int Filters, int Channels, int Kernel, int Stride, int Padding, int Groups);

    /// <summary>A Conv's settings when CnnGen can declare them (square kernel and stride, equal pads, no dilation), else null.</summary>
    public static ConvSettings? ConvShape(OnnxGraph g, int n)
    {
        var node = g[n];
        if (node.Input.Count < 2) return null;
        var wd = g.Dims(node.Input[1]);
        if (wd is not { Length: 4 } || wd[2] != wd[3]) return null;
        long[] k = g.Ints(n, "kernel_shape", [wd[2], wd[3]]), s = g.Ints(n, "strides", [1, 1]), p = g.Ints(n, "pads", [0, 0, 0, 0]), d = g.Ints(n, "dilations", [1, 1]);
        string autoPad = g.String(n, "auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID") || k.Length != 2 || k[0] != wd[2] || k[1] != wd[3] || s.Length != 2 || s[0] != s[1] || s[0] < 1
            || p.Length != 4 || p.Distinct().Count() != 1 || d.Any(v => v != 1) || wd.Any(v => v < 1 || v > int.MaxValue))
            return null;
        long groups = g.Int(n, "group", 1);
        if (groups < 1 || groups > int.MaxValue || wd[0] % groups != 0) return null;
        return new((int)wd[0], (int)wd[1], (int)wd[2], (int)s[0], autoPad == "VALID" ? 0 : (int)p[0], (int)groups);
    }

    public static string ConvText(OnnxGraph g, int n)
    {
        var node = g[n];
        var wd = g.Dims(node.Input.Count > 1 ? node.Input[1] : "") ?? [];
        return $"a Conv with weights {OnnxGraph.Shape(wd)}, strides ({string.Join(", ", g.Ints(n, "strides", [1, 1]))}), pads ({string.Join(", ", g.Ints(n, "pads", [0, 0, 0, 0]))}), " +
               $"dilations ({string.Join(", ", g.Ints(n, "dilations", [1, 1]))}), group {g.Int(n, "group", 1)}, {(node.Input.Count > 2 && node.Input[2].Length > 0 ? "with" : "without")} bias";
    }

    public static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));

    public static string R(double v) => ((float)v).ToString("R", CultureInfo.InvariantCulture);

    public static string ConvAttribute(long filters, long kernel, long stride, long padding, long groups, bool bias) =>
        $"[Conv2D({filters}, {kernel}{(stride != 1 ? $", Stride = {stride}" : "")}{(padding != 0 ? $", Padding = {padding}" : "")}{(groups != 1 ? $", Groups = {groups}" : "")}{(bias ? "" : ", Bias = false")})]";

    /// <summary>The declaration a node would need, e.g. <c>[MaxPool(2)]</c>, or why there is none.</summary>
    public static string Suggest(OnnxGraph g, int n)
    {
        var node = g[n];
        switch (node.OpType)
        {
            case "Conv":
                return ConvShape(g, n) is { } c
                    ? ConvAttribute(c.Filters, c.Kernel, c.Stride, c.Padding, c.Groups, node.Input.Count > 2 && node.Input[2].Length > 0)
                    : $"a convolution CnnGen cannot declare ({ConvText(g, n)})";
            case "Relu": return "[ReLU]";
            case "Tanh": return "[Tanh]";
            case "Sigmoid": return "[Sigmoid]";
            case "LeakyRelu": return $"[LeakyReLU({R(g.Float(n, "alpha", 0.01f))})]";
            case "MaxPool" or "AveragePool":
            {
                long[] k = g.Ints(n, "kernel_shape", []), s = g.Ints(n, "strides", [1, 1]);
                string kind = node.OpType == "MaxPool" ? "MaxPool" : "AvgPool";
                return k is [var kh, var kw] && kh == kw && s is [var sh, var sw] && sh == sw && g.Ints(n, "pads", [0, 0, 0, 0]).All(p => p == 0)
                    ? $"[{kind}({kh}{(sh == kh ? "" : $", {sh}")})]" : $"a pooling CnnGen cannot declare (kernel ({string.Join(", ", k)}), strides ({string.Join(", ", s)}), pads)";
            }
            case "Flatten": return "[Flatten]";
            case "Gemm" or "MatMul":
            {
                var wd = g.Dims(node.Input.Count > 1 ? node.Input[1] : "");
                bool t = node.OpType == "Gemm" && g.Int(n, "transB", 0) != 0;
                return wd is [var a, var b] ? $"[Dense({(t ? a : b)})]" : "[Dense(...)]";
            }
            case "BatchNormalization":
            {
                float e = g.Float(n, "epsilon", 1e-5f);
                return Close(e, 1e-5) ? "[BatchNorm]" : $"[BatchNorm(Epsilon = {R(e)})]";
            }
            case "Softmax": return "[Softmax]";
            case "GlobalAveragePool": return "[GlobalAvgPool]";
            case "Add": return "a residual block ([Residual] ... [Add])";
            case "Dropout" or "Identity": return "nothing (the identity)";
            default: return $"a layer for operator {node.OpType}, which CnnGen does not have (supported: Conv, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool, Flatten, Gemm, MatMul, BatchNormalization, Softmax, GlobalAveragePool, Add, Dropout, Identity)";
        }
    }
}

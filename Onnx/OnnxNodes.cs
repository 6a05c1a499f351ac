using System;
using System.Globalization;
using System.Linq;

namespace CnnGen.Onnx;

/// <summary>
/// One argument of a layer attribute: a constructor parameter (<see cref="Named"/> false, its parameter name, e.g.
/// <c>filters</c>) or a property (<c>Padding</c>). Values are <see cref="int"/>, <see cref="double"/> or <see cref="bool"/>.
/// </summary>
internal readonly record struct OnnxLayerArgument(string Name, object Value, bool Named);

/// <summary>
/// A layer attribute as CnnGen declares it, e.g. <c>Conv2D(6, 5, Padding = 2)</c>: its kind (the attribute's name without
/// <c>Attribute</c>) and its arguments. <see cref="ToString"/> is the text written in a declaration; the generator reads
/// <see cref="Arguments"/> as it reads an attribute's.
/// </summary>
internal sealed class OnnxLayerDecl
{
    public OnnxLayerDecl(string kind, params OnnxLayerArgument[] arguments)
    {
        Kind = kind;
        Arguments = arguments;
    }

    public string Kind { get; }
    public OnnxLayerArgument[] Arguments { get; }

    public static OnnxLayerArgument Arg(string name, object value) => new(name, value, false);
    public static OnnxLayerArgument Prop(string name, object value) => new(name, value, true);

    public override string ToString() =>
        Arguments.Length == 0 ? Kind : Kind + "(" + string.Join(", ", Arguments.Select(a => a.Named ? a.Name + " = " + Text(a.Value) : Text(a.Value))) + ")";

    private static string Text(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => OnnxNodes.R(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

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
        if (autoPad is not ("NOTSET" or "VALID") || k.Length != 2 || k[0] != wd[2] || k[1] != wd[3] || s.Length != 2 || s[0] != s[1] || s[0] < 1 || s[0] > int.MaxValue
            || p.Length != 4 || p.Distinct().Count() != 1 || p[0] < 0 || p[0] > int.MaxValue || d.Any(v => v != 1) || wd.Any(v => v < 1 || v > int.MaxValue))
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

    /// <summary>A float attribute as the double a declaration writes for it (0.1f as 0.1, not 0.10000000149011612).</summary>
    public static double Shortest(float v) => double.Parse(R(v), CultureInfo.InvariantCulture);

    public static OnnxLayerDecl ConvDecl(long filters, long kernel, long stride, long padding, long groups, bool bias)
    {
        var args = new System.Collections.Generic.List<OnnxLayerArgument> { OnnxLayerDecl.Arg("filters", (int)filters), OnnxLayerDecl.Arg("kernel", (int)kernel) };
        if (stride != 1) args.Add(OnnxLayerDecl.Prop("Stride", (int)stride));
        if (padding != 0) args.Add(OnnxLayerDecl.Prop("Padding", (int)padding));
        if (groups != 1) args.Add(OnnxLayerDecl.Prop("Groups", (int)groups));
        if (!bias) args.Add(OnnxLayerDecl.Prop("Bias", false));
        return new OnnxLayerDecl("Conv2D", [.. args]);
    }

    public static string ConvAttribute(long filters, long kernel, long stride, long padding, long groups, bool bias) =>
        "[" + ConvDecl(filters, kernel, stride, padding, groups, bias) + "]";

    public static OnnxLayerDecl DenseDecl(long units, bool bias) =>
        bias ? new("Dense", OnnxLayerDecl.Arg("units", (int)units)) : new("Dense", OnnxLayerDecl.Arg("units", (int)units), OnnxLayerDecl.Prop("Bias", false));

    public static OnnxLayerDecl BatchNormDecl(double epsilon) =>
        Close(epsilon, 1e-5) ? new("BatchNorm") : new("BatchNorm", OnnxLayerDecl.Prop("Epsilon", Shortest((float)epsilon)));

    /// <summary>
    /// The layer a node would be declared as (its settings as the node has them), or null with <paramref name="reason"/>
    /// saying why CnnGen has none. Nodes that are no layer (Identity, Dropout, Add) give null with what they are.
    /// </summary>
    public static OnnxLayerDecl? Declare(OnnxGraph g, int n, out string reason)
    {
        var node = g[n];
        reason = "";
        switch (node.OpType)
        {
            case "Conv":
                if (ConvShape(g, n) is { } c)
                    return ConvDecl(c.Filters, c.Kernel, c.Stride, c.Padding, c.Groups, node.Input.Count > 2 && node.Input[2].Length > 0);
                reason = $"a convolution CnnGen cannot declare ({ConvText(g, n)})";
                return null;
            case "Relu": return new("ReLU");
            case "Tanh": return new("Tanh");
            case "Sigmoid": return new("Sigmoid");
            case "LeakyRelu": return new("LeakyReLU", OnnxLayerDecl.Arg("slope", Shortest(g.Float(n, "alpha", 0.01f))));
            case "MaxPool" or "AveragePool":
            {
                long[] k = g.Ints(n, "kernel_shape", []), s = g.Ints(n, "strides", [1, 1]);
                string kind = node.OpType == "MaxPool" ? "MaxPool" : "AvgPool";
                if (k is [var kh, var kw] && kh == kw && kh is >= 1 and <= int.MaxValue && s is [var sh, var sw] && sh == sw && sh is >= 1 and <= int.MaxValue
                    && g.Ints(n, "pads", [0, 0, 0, 0]).All(p => p == 0) && g.Ints(n, "dilations", [1, 1]).All(d => d == 1)
                    && g.String(n, "auto_pad", "NOTSET") is "NOTSET" or "VALID")
                    return sh == kh ? new(kind, OnnxLayerDecl.Arg("size", (int)kh)) : new(kind, OnnxLayerDecl.Arg("size", (int)kh), OnnxLayerDecl.Arg("stride", (int)sh));
                reason = $"a pooling CnnGen cannot declare (kernel ({string.Join(", ", k)}), strides ({string.Join(", ", s)}), pads)";
                return null;
            }
            case "Flatten": return new("Flatten");
            case "Gemm" or "MatMul":
            {
                var wd = g.Dims(node.Input.Count > 1 ? node.Input[1] : "");
                bool t = node.OpType == "Gemm" && g.Int(n, "transB", 0) != 0;
                if (wd is [var a, var b]) return DenseDecl(t ? a : b, bias: true);
                reason = "[Dense(...)]";
                return null;
            }
            case "BatchNormalization": return BatchNormDecl(g.Float(n, "epsilon", 1e-5f));
            case "Softmax": return new("Softmax");
            case "GlobalAveragePool": return new("GlobalAvgPool");
            case "Add": reason = "a residual block ([Residual] ... [Add])"; return null;
            case "Dropout" or "Identity": reason = "nothing (the identity)"; return null;
            default:
                reason = $"a layer for operator {node.OpType}, which CnnGen does not have (supported: Conv, Relu, LeakyRelu, Tanh, Sigmoid, MaxPool, AveragePool, Flatten, Gemm, MatMul, BatchNormalization, Softmax, GlobalAveragePool, Add, Dropout, Identity)";
                return null;
        }
    }

    /// <summary>The declaration a node would need, e.g. <c>[MaxPool(2)]</c>, or why there is none.</summary>
    public static string Suggest(OnnxGraph g, int n) => Declare(g, n, out string reason) is { } decl ? "[" + decl + "]" : reason;
}

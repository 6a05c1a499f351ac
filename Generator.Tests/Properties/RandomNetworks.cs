using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CnnGen.Generator.Tests.Properties;

/// <summary>One layer attribute as written: its name and already-rendered arguments.</summary>
internal sealed record LayerDef(string Kind, string[] Args, string[] Named)
{
    public static LayerDef Of(string kind, params object[] args) =>
        new(kind, args.Select(Literal).ToArray(), []);

    /// <summary>Sets a named argument, replacing an earlier one of the same name.</summary>
    public LayerDef With(string key, object value) =>
        this with { Named = [.. Named.Where(n => !n.StartsWith(key + " =", StringComparison.Ordinal)), $"{key} = {Literal(value)}"] };

    public string Render() =>
        Args.Length == 0 && Named.Length == 0 ? Kind : $"{Kind}({string.Join(", ", Args.Concat(Named))})";

    public static string Literal(object value) => value switch
    {
        string s => s, // already C# text (a literal, a constant name or an expression)
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture) + (d == Math.Floor(d) && !d.ToString("R", CultureInfo.InvariantCulture).Contains('E') ? ".0" : ""),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}

/// <summary>A network class as written: the [Network] arguments, the layers, and how the source spells them.</summary>
internal sealed record NetDef(string[] NetworkArgs, string[] NetworkNamed, LayerDef[] Layers)
{
    /// <summary>Layers per attribute list, in order (sums to the layer count); empty means one list per layer.</summary>
    public int[] Lists { get; init; } = [];
    public string Modifiers { get; init; } = "public partial";
    public string TypeParameters { get; init; } = "";
    /// <summary>Wraps the class in a containing class (CNN012).</summary>
    public bool Nested { get; init; }
    /// <summary>Leaves the [Network] attribute off (CNN002).</summary>
    public bool WithoutNetwork { get; init; }
    /// <summary>Puts the layers after this index on a second partial declaration (CNN008).</summary>
    public int SplitDeclarationAt { get; init; } = -1;
    /// <summary>What the test expects: one of these IDs as an error, or null for a network that must be valid.</summary>
    public string[]? ExpectedErrors { get; init; }
    /// <summary>How the case was made, for failure messages.</summary>
    public string Origin { get; init; } = "valid";

    public string NetworkAttribute =>
        NetworkArgs.Length + NetworkNamed.Length == 0 ? "Network" : $"Network({string.Join(", ", NetworkArgs.Concat(NetworkNamed))})";

    /// <summary>A complete file: usings, a file-scoped namespace and the class <paramref name="className"/>.</summary>
    public string Render(string className)
    {
        var text = new StringBuilder();
        text.Append("using CnnGen;\n\nnamespace Fuzz;\n\n");
        string indent = "";
        if (Nested)
        {
            text.Append("public partial class Outer").Append(className).Append("\n{\n");
            indent = "    ";
        }
        var first = SplitDeclarationAt >= 0 ? Layers.Take(SplitDeclarationAt).ToArray() : Layers;
        if (!WithoutNetwork) text.Append(indent).Append('[').Append(NetworkAttribute).Append("]\n");
        AppendLists(text, indent, first, 0);
        text.Append(indent).Append(Modifiers).Append(" class ").Append(className).Append(TypeParameters).Append(" { }\n");
        if (SplitDeclarationAt >= 0)
        {
            AppendLists(text, indent, Layers.Skip(SplitDeclarationAt).ToArray(), SplitDeclarationAt);
            text.Append(indent).Append("partial class ").Append(className).Append(TypeParameters).Append(" { }\n");
        }
        if (Nested) text.Append("}\n");
        return text.ToString();
    }

    private void AppendLists(StringBuilder text, string indent, LayerDef[] layers, int offset)
    {
        // split into attribute lists as recorded, else one list per layer
        int i = 0, list = 0, consumed = 0;
        while (i < layers.Length)
        {
            int size = 1;
            if (Lists.Length > 0)
            {
                // find the list that holds layer (offset + i)
                consumed = 0;
                for (list = 0; list < Lists.Length; list++)
                {
                    if (offset + i < consumed + Lists[list]) { size = consumed + Lists[list] - (offset + i); break; }
                    consumed += Lists[list];
                }
            }
            size = Math.Min(size, layers.Length - i);
            text.Append(indent).Append('[').Append(string.Join(", ", layers.Skip(i).Take(size).Select(l => l.Render()))).Append("]\n");
            i += size;
        }
    }

    public override string ToString() => $"{Origin}: {Render("N")}";
}

/// <summary>
/// Builds random networks from a seed: <see cref="Valid"/> ones that are correct by construction (every window
/// fits and covers its input exactly, Flatten exactly when needed, a Dense and a final Softmax), and invalid ones
/// made from a valid network by one mutation that must be reported, or by a random stack with random sizes.
/// </summary>
internal static class RandomNetworks
{
    private static readonly string[] Activations = ["ReLU", "LeakyReLU", "Tanh", "Sigmoid"];

    public static NetDef Valid(ulong seed)
    {
        var r = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var layers = new List<LayerDef>();
        string[] networkArgs;
        int c, h, w;
        bool flat = r.Next(4) == 0, gap = false;
        if (flat)
        {
            c = r.Next(1, 13); h = 1; w = 1;
            networkArgs = [Int(c)];
        }
        else
        {
            c = r.Next(1, 4); h = r.Next(3, 10); w = r.Next(3, 10);
            networkArgs = [Int(c), Int(h), Int(w)];
            int ops = r.Next(0, 5);
            for (int op = 0; op < ops; op++)
            {
                switch (r.Next(12))
                {
                    case 0: case 1: case 2:
                    {
                        int k = r.Next(1, Math.Min(4, Math.Min(h, w)) + 1);
                        int p = h + w > 16 ? 0 : r.Next(0, k);
                        int hp = h + 2 * p, wp = w + 2 * p;
                        int s = PickStride(r, hp - k, wp - k);
                        int filters = r.Next(1, 7);
                        var conv = LayerDef.Of("Conv2D", filters, k);
                        if (p > 0 || r.Next(4) == 0) conv = conv.With("Padding", p);
                        if (s > 1 || r.Next(4) == 0) conv = conv.With("Stride", s);
                        if (r.Next(4) == 0) conv = conv.With("Bias", false);
                        layers.Add(conv);
                        c = filters; h = (hp - k) / s + 1; w = (wp - k) / s + 1;
                        break;
                    }
                    case 3: case 4:
                        layers.Add(Activation(r));
                        break;
                    case 5: case 6:
                    {
                        if (Math.Min(h, w) < 2) { layers.Add(Activation(r)); break; }
                        int z = r.Next(2, Math.Min(3, Math.Min(h, w)) + 1);
                        int t = PickStride(r, h - z, w - z);
                        string kind = r.Next(2) == 0 ? "MaxPool" : "AvgPool";
                        layers.Add(t == z && r.Next(2) == 0 ? LayerDef.Of(kind, z) : LayerDef.Of(kind, z, t));
                        h = (h - z) / t + 1; w = (w - z) / t + 1;
                        break;
                    }
                    case 7:
                        layers.Add(BatchNorm(r));
                        break;
                    case 8:
                        layers.Add(Dropout(r));
                        break;
                    case 9: // a residual block that keeps the shape: 3x3 (padding 1) or 1x1 convolutions, activations, BatchNorm
                    {
                        layers.Add(LayerDef.Of("Residual"));
                        int inner = r.Next(0, 4);
                        for (int j = 0; j < inner; j++)
                            switch (r.Next(3))
                            {
                                case 0:
                                    layers.Add(r.Next(2) == 0 ? LayerDef.Of("Conv2D", c, 3).With("Padding", 1) : LayerDef.Of("Conv2D", c, 1));
                                    break;
                                case 1: layers.Add(Activation(r)); break;
                                default: layers.Add(BatchNorm(r)); break;
                            }
                        layers.Add(LayerDef.Of("Add"));
                        break;
                    }
                    case 10: // a residual block that halves the size (3x3, stride 2, padding 1) and projects its input
                    {
                        if (Math.Min(h, w) < 2) { layers.Add(Activation(r)); break; }
                        int filters = r.Next(1, 7);
                        layers.Add(LayerDef.Of("Residual"));
                        layers.Add(LayerDef.Of("Conv2D", filters, 3).With("Stride", 2).With("Padding", 1));
                        if (r.Next(2) == 0) layers.Add(Activation(r));
                        layers.Add(LayerDef.Of("Add").With("Projection", true));
                        c = filters; h = (h - 1) / 2 + 1; w = (w - 1) / 2 + 1;
                        break;
                    }
                    default: // a grouped (or depthwise) convolution, stride 1
                    {
                        var divisors = Enumerable.Range(2, Math.Max(0, c - 1)).Where(g => c % g == 0).ToArray();
                        if (divisors.Length == 0) { layers.Add(Activation(r)); break; }
                        int groups = divisors[r.Next(divisors.Length)], filters = groups * r.Next(1, 3);
                        int k = r.Next(1, Math.Min(3, Math.Min(h, w)) + 1), p = r.Next(0, k);
                        var conv = LayerDef.Of("Conv2D", filters, k).With("Groups", groups);
                        if (p > 0) conv = conv.With("Padding", p);
                        layers.Add(conv);
                        c = filters; h = h + 2 * p - k + 1; w = w + 2 * p - k + 1;
                        break;
                    }
                }
            }
            // flat features for the dense layers: Flatten, or a global average over each channel. The average of H*W
            // random values has 1/sqrt(H*W) of their spread, and a BatchNorm in the dense layers scales that back up, so
            // far that a ReLU after it meets kinks within every finite-difference step (a net with GlobalAvgPool 4x7,
            // Dense, BatchNorm, ReLU failed the check at every step; with Tanh instead of that ReLU it passed). So:
            // only small planes, and no BatchNorm in the dense layers after a global average.
            gap = h * w <= 9 && r.Next(4) == 0;
            layers.Add(LayerDef.Of(gap ? "GlobalAvgPool" : "Flatten"));
        }
        int hidden = r.Next(0, 3);
        for (int i = 0; i < hidden; i++)
        {
            var dense = LayerDef.Of("Dense", r.Next(1, 21));
            if (r.Next(4) == 0) dense = dense.With("Bias", false);
            layers.Add(dense);
            switch (r.Next(5))
            {
                case 0: case 1: layers.Add(Activation(r)); break;
                case 2: if (!gap) layers.Add(BatchNorm(r)); layers.Add(Activation(r)); break;
                case 3: layers.Add(Activation(r)); layers.Add(Dropout(r)); break;
            }
        }
        var last = LayerDef.Of("Dense", r.Next(2, 6));
        if (r.Next(5) == 0) last = last.With("Bias", false);
        layers.Add(last);
        if (r.Next(8) == 0) layers.Add(LayerDef.Of(r.Next(2) == 0 ? "Tanh" : "Sigmoid"));
        layers.Add(LayerDef.Of("Softmax"));

        // occasional custom names (unique, valid identifiers that the summary parser does not skip)
        if (r.Next(4) == 0)
            for (int i = 0; i < layers.Count; i++)
                if (r.Next(3) == 0) layers[i] = layers[i].With("Name", $"\"L{i}x\"");

        string[] named = r.Next(3) switch
        {
            0 => ["Unroll = Unroll.None"],
            1 when r.Next(2) == 0 => ["Unroll = Unroll.Full"],
            _ => [],
        };
        return new NetDef(networkArgs, named, layers.ToArray()) { Lists = RandomLists(r, layers.Count) };
    }

    /// <summary>A stride from 1..3 that covers <paramref name="spanH"/> and <paramref name="spanW"/> exactly (no CNN006).</summary>
    private static int PickStride(Random r, int spanH, int spanW)
    {
        var candidates = Enumerable.Range(1, 3).Where(s => spanH % s == 0 && spanW % s == 0).ToArray();
        return candidates[r.Next(candidates.Length)];
    }

    private static LayerDef Activation(Random r)
    {
        string kind = Activations[r.Next(Activations.Length)];
        if (kind != "LeakyReLU") return LayerDef.Of(kind);
        return r.Next(3) switch
        {
            0 => LayerDef.Of(kind),
            1 => LayerDef.Of(kind, Math.Round(r.NextDouble() * 0.5, 3)),
            _ => LayerDef.Of(kind, 0.1),
        };
    }

    private static LayerDef BatchNorm(Random r)
    {
        var bn = LayerDef.Of("BatchNorm");
        if (r.Next(3) == 0) bn = bn.With("Momentum", 0.2);
        if (r.Next(3) == 0) bn = bn.With("Epsilon", 1e-3);
        return bn;
    }

    private static LayerDef Dropout(Random r) => LayerDef.Of("Dropout", new[] { 0.0, 0.1, 0.25, 0.5 }[r.Next(4)]);

    private static int[] RandomLists(Random r, int count)
    {
        var lists = new List<int>();
        int left = count;
        while (left > 0)
        {
            int size = r.Next(1, Math.Min(left, 5) + 1);
            lists.Add(size);
            left -= size;
        }
        return lists.ToArray();
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sizes that must be rejected as a layer size, or that are absurd.</summary>
    private static readonly int[] BadSizes = [0, -1, -7, int.MinValue];

    /// <summary>
    /// A valid network with one mutation that must be reported as an error; <see cref="NetDef.ExpectedErrors"/>
    /// lists the IDs that may report it.
    /// </summary>
    public static NetDef Invalid(ulong seed)
    {
        var r = new Random(unchecked((int)(seed * 0x9E3779B97F4A7C15UL >> 17)));
        var net = Valid(seed ^ 0xBADBAD);
        var layers = net.Layers.ToList();
        int Index(params string[] kinds)
        {
            var at = Enumerable.Range(0, layers.Count).Where(i => kinds.Contains(layers[i].Kind)).ToArray();
            return at.Length == 0 ? -1 : at[r.Next(at.Length)];
        }
        NetDef Make(string origin, params string[] expected) =>
            net with { Layers = layers.ToArray(), Lists = [], ExpectedErrors = expected, Origin = origin };

        for (int attempt = 0; attempt < 20; attempt++)
        {
            switch (r.Next(21))
            {
                case 0: // a size 0 or negative
                {
                    int i = Index("Conv2D", "Dense", "MaxPool", "AvgPool");
                    if (i < 0) continue;
                    var l = layers[i];
                    int arg = r.Next(l.Args.Length);
                    var args = l.Args.ToArray();
                    args[arg] = Int(BadSizes[r.Next(BadSizes.Length)]);
                    layers[i] = l with { Args = args };
                    return Make($"non-positive argument {arg} of {l.Kind}", "CNN003");
                }
                case 1: // a negative padding or non-positive stride
                {
                    int i = Index("Conv2D");
                    if (i < 0) continue;
                    var l = layers[i];
                    bool padding = r.Next(2) == 0;
                    layers[i] = l with { Named = l.Named.Where(n => !n.StartsWith(padding ? "Padding" : "Stride", StringComparison.Ordinal)).ToArray() };
                    layers[i] = layers[i].With(padding ? "Padding" : "Stride", padding ? -r.Next(1, 4) : -r.Next(0, 3));
                    return Make($"bad {(padding ? "padding" : "stride")}", padding ? "CNN014" : "CNN003");
                }
                case 2: // input size 0 or negative
                {
                    var args = net.NetworkArgs.ToArray();
                    args[r.Next(args.Length)] = Int(BadSizes[r.Next(BadSizes.Length)]);
                    net = net with { NetworkArgs = args };
                    return Make("non-positive input size", "CNN003");
                }
                case 3: // no Softmax at the end
                    layers.RemoveAt(layers.Count - 1);
                    return Make("Softmax removed", "CNN009");
                case 4: // Softmax earlier too
                    layers.Insert(r.Next(layers.Count - 1), LayerDef.Of("Softmax"));
                    return Make("Softmax in the middle", "CNN010");
                case 5: // Dense on a spatial input: drop the Flatten
                {
                    int i = Index("Flatten");
                    if (i < 0) continue;
                    layers.RemoveAt(i);
                    return Make("Flatten removed", "CNN007");
                }
                case 6: // a kernel larger than the input
                {
                    if (net.NetworkArgs.Length != 3) continue;
                    layers.Insert(0, LayerDef.Of("Conv2D", 2, 40 + r.Next(1000)));
                    return Make("kernel larger than input", "CNN004");
                }
                case 7: // a pool larger than the input
                {
                    if (net.NetworkArgs.Length != 3) continue;
                    layers.Insert(0, LayerDef.Of(r.Next(2) == 0 ? "MaxPool" : "AvgPool", 40 + r.Next(1000)));
                    return Make("pool larger than input", "CNN005");
                }
                case 8: // a spatial layer after Flatten (or on a flat input)
                {
                    int i = Index("Flatten", "Dense");
                    if (i < 0) continue;
                    layers.Insert(i + 1, r.Next(2) == 0 ? LayerDef.Of("Conv2D", 2, 1) : LayerDef.Of("MaxPool", 1));
                    return Make("spatial layer on a flat input", "CNN015", "CNN007");
                }
                case 9: // out-of-range double settings
                {
                    switch (r.Next(4))
                    {
                        case 0: layers.Insert(layers.Count - 1, LayerDef.Of("LeakyReLU", new object[] { -0.5, 1.0, 7.0, "double.NaN" }[r.Next(4)])); break;
                        case 1: layers.Insert(layers.Count - 1, LayerDef.Of("Dropout", new[] { 1.0, -0.1, 2.5 }[r.Next(3)])); break;
                        case 2: layers.Insert(layers.Count - 1, LayerDef.Of("BatchNorm").With("Momentum", new[] { 0.0, -1.0, 1.5 }[r.Next(3)])); break;
                        default: layers.Insert(layers.Count - 1, LayerDef.Of("BatchNorm").With("Epsilon", new[] { 0.0, -1e-5, 1.0 }[r.Next(3)])); break;
                    }
                    return Make("setting out of range", "CNN014");
                }
                case 10: // a bad or duplicate layer name
                {
                    int i = r.Next(layers.Count), j = r.Next(layers.Count);
                    if (r.Next(2) == 0 || i == j)
                    {
                        layers[i] = layers[i].With("Name", new[] { "\"1x\"", "\"\"", "\"a b\"", "\"é\"", "\"x-y\"" }[r.Next(5)]);
                        return Make("invalid layer name", "CNN017");
                    }
                    layers[i] = layers[i].With("Name", "\"Same\"");
                    layers[j] = layers[j].With("Name", "\"same\"");
                    return Make("duplicate layer names", "CNN018");
                }
                case 11: // far too large
                {
                    int i = Index("Dense");
                    if (i < 0) continue;
                    layers[i] = layers[i] with { Args = [r.Next(2) == 0 ? "int.MaxValue" : Int(1 << 27)] };
                    return Make("huge Dense", "CNN019");
                }
                case 12:
                    return Make("not partial", "CNN001") with { Modifiers = "public" };
                case 13:
                    return Make("nested", "CNN012") with { Nested = true };
                case 14:
                    return Make("generic", "CNN013") with { TypeParameters = "<T>" };
                case 16: // a block never closed
                {
                    int i = Index("Add");
                    if (i < 0) continue;
                    layers.RemoveAt(i);
                    return Make("Add removed", "CNN026", "CNN027"); // unclosed, or nested when another block follows
                }
                case 17: // an Add with no block open
                    layers.Insert(0, LayerDef.Of("Add"));
                    return Make("Add at the start", "CNN025");
                case 18: // a projection removed from a block that changes the shape
                {
                    int i = Enumerable.Range(0, layers.Count).FirstOrDefault(j => layers[j].Kind == "Add" && layers[j].Named.Contains("Projection = true"), -1);
                    if (i < 0) continue;
                    layers[i] = LayerDef.Of("Add");
                    return Make("projection removed", "CNN023");
                }
                case 19: // groups that cannot divide the input channels
                {
                    int i = Index("Conv2D");
                    if (i < 0) continue;
                    layers[i] = layers[i].With("Groups", 97);
                    return Make("groups that do not divide", "CNN028");
                }
                case 15:
                    if (layers.Count < 2) continue;
                    return Make("layers on two declarations", "CNN008") with { SplitDeclarationAt = r.Next(1, layers.Count) };
                default:
                    return Make("no [Network]", "CNN002") with { WithoutNetwork = true };
            }
        }
        layers.RemoveAt(layers.Count - 1);
        return Make("Softmax removed", "CNN009");
    }

    /// <summary>Random layer kinds in random order with random sizes: valid or not, never a crash.</summary>
    public static NetDef Chaos(ulong seed)
    {
        var r = new Random(unchecked((int)(seed * 0xD1B54A32D192ED03UL >> 21)));
        int[] sizes = [0, 1, 2, 3, 5, 8, 13, 28, 100, -1, -3, int.MaxValue, int.MinValue, 1 << 16];
        string Size() => Int(r.Next(3) == 0 ? sizes[r.Next(sizes.Length)] : r.Next(-2, 12));
        string[] kinds = ["Conv2D", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "MaxPool", "AvgPool", "Flatten", "Dense", "Dropout", "BatchNorm", "Softmax",
                          "GlobalAvgPool", "Residual", "Add"];
        var layers = new List<LayerDef>();
        int count = r.Next(0, 9);
        for (int i = 0; i < count; i++)
        {
            string kind = kinds[r.Next(kinds.Length)];
            LayerDef l = kind switch
            {
                "Conv2D" => new LayerDef(kind, [Size(), Size()], []),
                "MaxPool" or "AvgPool" => r.Next(2) == 0 ? new LayerDef(kind, [Size()], []) : new LayerDef(kind, [Size(), Size()], []),
                "Dense" => new LayerDef(kind, [Size()], []),
                "LeakyReLU" => LayerDef.Of(kind, Math.Round(r.NextDouble() * 1.4 - 0.2, 2)),
                "Dropout" => LayerDef.Of(kind, Math.Round(r.NextDouble() * 1.4 - 0.2, 2)),
                _ => LayerDef.Of(kind),
            };
            if (kind == "Conv2D" && r.Next(2) == 0) l = l with { Named = [$"Padding = {Size()}"] };
            if (kind == "Conv2D" && r.Next(3) == 0) l = l with { Named = [.. l.Named, $"Stride = {Size()}"] };
            if (kind == "Conv2D" && r.Next(4) == 0) l = l with { Named = [.. l.Named, $"Groups = {Size()}"] };
            if (kind == "Add" && r.Next(2) == 0) l = l with { Named = ["Projection = true"] };
            layers.Add(l);
        }
        if (r.Next(2) == 0) layers.Add(LayerDef.Of("Softmax"));
        string[] input = r.Next(3) == 0 ? [Size()] : [Size(), Size(), Size()];
        return new NetDef(input, [], layers.ToArray()) { Lists = RandomLists(r, layers.Count), Origin = "chaos" };
    }
}

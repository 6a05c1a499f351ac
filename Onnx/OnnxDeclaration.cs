using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CnnGen.Onnx.Proto;
using static CnnGen.Onnx.OnnxNodes;

namespace CnnGen.Onnx;

/// <summary>
/// Writes the CnnGen declaration of an ONNX model's graph: a <c>partial class</c> with <c>[Network]</c> and one attribute per
/// node (residual blocks where a tensor feeds a block and an <c>Add</c>), the network <see cref="OnnxImporter"/> loads the
/// file's weights into. The first node CnnGen has no layer for is an <see cref="OnnxModelException"/> naming it.
/// </summary>
public static class OnnxDeclaration
{
    /// <summary>The C# source declaring <paramref name="className"/> (in <paramref name="ns"/>, or none) for the model at <paramref name="path"/>.</summary>
    public static string FromFile(string path, string className, string? ns = null) =>
        FromBytes(OnnxGraph.ReadFile(path), path, className, ns);

    /// <summary>The declaration of the model in <paramref name="bytes"/>; <paramref name="name"/> names it in errors and in the comment.</summary>
    public static string FromBytes(byte[] bytes, string name, string className, string? ns = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentException.ThrowIfNullOrWhiteSpace(className);
        OnnxGraph g;
        List<string> layers;
        string network;
        try
        {
            g = OnnxGraph.Parse(bytes, name);
            (network, layers) = Layers(g);
        }
        catch (Exception e) when (e is not OnnxModelException)
        {
            throw new OnnxModelException(name, null, $"could not be declared (declaration writer fault, {e.GetType().Name}: {e.Message}).", e);
        }
        var text = new StringBuilder();
        text.Append("// The CnnGen declaration of ").Append(System.IO.Path.GetFileName(name));
        text.Append(" (").Append((g.Model.ProducerName + " " + g.Model.ProducerVersion).Trim()).Append("), written by CnnGen.Onnx.OnnxDeclaration;\n");
        text.Append("// load its weights with CnnGen.Onnx.OnnxImporter.Load(\"").Append(System.IO.Path.GetFileName(name)).Append("\", new ").Append(className).Append("()).\n");
        text.Append("using CnnGen;\n\n");
        if (!string.IsNullOrEmpty(ns)) text.Append("namespace ").Append(ns).Append(";\n\n");
        text.Append(network).Append('\n');
        // one line per residual block, and the layers between blocks on lines of their own
        var line = new List<string>();
        void Flush()
        {
            if (line.Count > 0) text.Append('[').Append(string.Join(", ", line)).Append("]\n");
            line.Clear();
        }
        foreach (string layer in layers)
        {
            if (layer == "Residual") Flush();
            line.Add(layer);
            if (layer.StartsWith("Add", StringComparison.Ordinal)) Flush();
        }
        Flush();
        text.Append("public partial class ").Append(className).Append(" { }\n");
        return text.ToString();
    }

    /// <summary>The <c>[Network(...)]</c> line and the layer attributes (without brackets), walking from the graph's input.</summary>
    private static (string Network, List<string> Layers) Layers(OnnxGraph g)
    {
        var inputs = g.RealInputs();
        if (inputs.Count != 1)
            throw g.Error($"has {inputs.Count} graph inputs; a CnnGen network takes one.");
        var dims = inputs[0].Type?.TensorType?.Shape?.Dim;
        long[] shape = dims is null ? [] : [.. dims.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1)];
        if (shape.Length is not (1 or 3) || shape.Any(d => d < 1 || d > int.MaxValue))
            throw g.Error($"has the graph input '{inputs[0].Name}' without a known (N, C, H, W) or (N, features) shape; CnnGen's [Network] needs the sizes.");
        string network = $"[Network({string.Join(", ", shape)})]";
        var layers = new List<string>();
        string current = inputs[0].Name;
        string? blockInput = null;
        for (int guard = 0; guard <= g.Graph.Node.Count; guard++)
        {
            var readers = g.Readers(current);
            if (readers.Count == 0) break;
            if (readers.Count > 1)
            {
                // a residual block opens: the block's first node is not its Add, nor a 1x1 Conv that feeds only the Add
                if (blockInput is not null)
                    throw g.Error(readers[1], $"reads '{current}' inside a residual block: CnnGen's blocks do not nest.");
                var main = readers.Where(n => g[n].OpType != "Add" && !(g[n].OpType == "Conv" && g.Readers(g[n].Output[0]) is [int a] && g[a].OpType == "Add"
                                                                         && g.Dims(g[n].Input.Count > 1 ? g[n].Input[1] : "") is [_, _, 1, 1])).ToList();
                if (readers.Count != 2 || main.Count != 1)
                    throw g.Error(readers[1], $"reads '{current}' as do {readers.Count - 1} other nodes: CnnGen declares a chain with residual blocks (a tensor read by the block and its Add or 1x1 projection).");
                blockInput = current;
                layers.Add("Residual");
                readers = main;
            }
            int n = readers[0];
            var node = g[n];
            string? layer;
            switch (node.OpType)
            {
                case "Identity":
                    layer = null;
                    break;
                case "Dropout":
                    float ratio = node.Input.Count > 1 && g.IsConstant(node.Input[1]) ? g.Floats(n, node.Input[1], "ratio").Values.FirstOrDefault() : g.Float(n, "ratio", 0.5f);
                    layer = $"Dropout({R(ratio)})";
                    break;
                case "Pad":
                    long[]? pads = node.Input.Count > 1 ? g.Int64s(n, node.Input[1], "pads") : g.Ints(n, "pads", []);
                    if (pads is null || pads.Any(p => p != 0))
                        throw g.Error(n, "is a Pad of non-zero or computed pads; CnnGen pads only inside a Conv2D (Padding =).");
                    layer = null;
                    break;
                case "Add" when blockInput is not null:
                {
                    if (node.Input.Count != 2) throw g.Error(n, "is an Add of more than two tensors.");
                    string other = node.Input[0] == current ? node.Input[1] : node.Input[0];
                    if (other == blockInput) layer = "Add";
                    else if (g.Producer(other) is int p && p >= 0 && g[p].OpType == "Conv" && g[p].Input[0] == blockInput && ConvShape(g, p) is { Kernel: 1, Padding: 0, Groups: 1 })
                    {
                        layer = "Add(Projection = true)";
                        g.Use(p);
                    }
                    else throw g.Error(n, $"adds '{other}', neither the residual block's input '{blockInput}' nor a 1x1 convolution of it.");
                    blockInput = null;
                    break;
                }
                case "Gemm" or "MatMul":
                {
                    layer = Suggest(g, n).Trim('[', ']');
                    bool bias = node.OpType == "Gemm" ? node.Input.Count > 2 && node.Input[2].Length > 0 : false;
                    if (node.OpType == "MatMul" && g.Readers(node.Output[0]) is [int add] && g[add].OpType == "Add"
                        && g[add].Input.Any(i => i != node.Output[0] && g.IsConstant(i)))
                    {
                        g.Use(n);
                        n = add;
                        bias = true;
                    }
                    if (!bias) layer = layer.Replace(")", ", Bias = false)");
                    break;
                }
                case "GlobalAveragePool":
                    layer = "GlobalAvgPool";
                    g.Use(n);
                    current = node.Output[0];
                    if (g.Readers(current) is [int f] && g[f].OpType == "Flatten") n = f; // (N, C, 1, 1) to (N, C) belongs to it
                    break;
                default:
                    string suggestion = Suggest(g, n);
                    if (!suggestion.StartsWith('['))
                        throw g.Error(n, $"has no CnnGen layer: it would need {suggestion}.");
                    layer = suggestion.Trim('[', ']');
                    break;
            }
            if (layer is not null) layers.Add(layer);
            g.Use(n);
            current = g[n].Output[0];
        }
        if (!g.Graph.Output.Any(o => o.Name == current))
            throw g.Error($"ends the chain at '{current}', which is not a graph output.");
        if (g.FirstUnused() is int unused and >= 0)
            throw g.Error(unused, "is not on the chain from the input to the output: CnnGen cannot declare it.");
        if (layers.Count == 0 || layers[^1] != "Softmax")
            throw g.Error($"does not end with a Softmax (it ends with {(layers.Count == 0 ? "nothing" : layers[^1])}); CnnGen's networks output probabilities: export the model with a Softmax.");
        return (network, layers);
    }
}

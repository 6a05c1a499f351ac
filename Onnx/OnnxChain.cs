using System.Collections.Generic;
using System.Linq;
using CnnGen.Onnx.Proto;

namespace CnnGen.Onnx;

/// <summary>
/// One layer of an ONNX graph read as a CnnGen declaration: the attribute, the node it came from, and its weights in
/// CnnGen's order and layout (<see cref="Parameters"/>: a convolution's weights then bias, a dense layer's (units, inputs)
/// weights then bias, a BatchNorm's scale then shift; <see cref="State"/>: running mean then variance).
/// </summary>
internal sealed record OnnxChainLayer(OnnxLayerDecl Decl, int Node, float[][] Parameters, float[][] State);

/// <summary>The graph read as a chain from its one input to its one output: the input's (C, H, W) or (features), and the layers.</summary>
internal sealed record OnnxChainResult(long[] Input, List<OnnxChainLayer> Layers)
{
    /// <summary>The <c>[Network(...)]</c> line.</summary>
    public string NetworkText => "[Network(" + string.Join(", ", Input) + ")]";
}

/// <summary>
/// Reads an ONNX graph as the CnnGen network it is: walks from the graph's input, one node at a time, and maps each to a
/// layer (residual blocks where a tensor feeds a block and the <c>Add</c> that closes it), taking its weights. Used by
/// <see cref="OnnxDeclaration"/> (the declaration as text) and by the source generator (<c>[OnnxNetwork]</c>: the
/// network's code and weights at compile time), so both read a file the same way. Every node must be on the chain and
/// every setting one CnnGen declares; the first that is not is an <see cref="OnnxModelException"/> naming the node.
/// </summary>
internal static class OnnxChain
{
    public static OnnxChainResult Read(OnnxGraph g)
    {
        var inputs = g.RealInputs();
        if (inputs.Count != 1)
            throw g.Error($"has {inputs.Count} graph inputs; a CnnGen network takes one.");
        var input = inputs[0];
        if (input.Type?.TensorType is { } tensor && tensor.ElemType != (int)TensorProto.Types.DataType.Float)
            throw g.Error($"has the graph input '{input.Name}' of element type {tensor.ElemType}; CnnGen networks take float (type 1).");
        var dims = input.Type?.TensorType?.Shape?.Dim;
        long[] shape = dims is null ? [] : [.. dims.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1)];
        if (shape.Length is not (1 or 3) || shape.Any(d => d < 1 || d > int.MaxValue))
            throw g.Error($"has the graph input '{input.Name}' without a known (N, C, H, W) or (N, features) shape; CnnGen's [Network] needs the sizes.");
        var layers = new List<OnnxChainLayer>();
        string current = input.Name;
        string? blockInput = null;
        float[][] none = [];
        void Add(OnnxLayerDecl decl, int node, float[][]? parameters = null, float[][]? state = null) =>
            layers.Add(new OnnxChainLayer(decl, node, parameters ?? none, state ?? none));

        for (int guard = 0; guard <= g.Graph.Node.Count; guard++)
        {
            var readers = g.Readers(current);
            if (readers.Count == 0) break;
            if (readers.Count > 1)
            {
                // a residual block opens: the block's first node is not its Add, nor a 1x1 Conv that feeds only the Add
                if (blockInput is not null)
                    throw g.Error(readers[1], $"reads '{current}' inside a residual block: CnnGen's blocks do not nest.");
                var main = readers.Where(n => g[n].OpType != "Add" && !IsProjection(g, n)).ToList();
                if (readers.Count != 2 || main.Count != 1)
                    throw g.Error(readers[1], $"reads '{current}' as do {readers.Count - 1} other nodes: CnnGen declares a chain with residual blocks (a tensor read by the block and its Add or 1x1 projection).");
                blockInput = current;
                Add(new OnnxLayerDecl("Residual"), readers[0]);
                readers = main;
            }
            int n = readers[0];
            var node = g[n];
            if (node.Input.Count == 0 || (node.Input[0] != current && node.OpType != "Add"))
                throw g.Error(n, $"reads '{current}' but not as its first input; CnnGen's layers take the tensor before them as their first input.");
            switch (node.OpType)
            {
                case "Identity":
                    break;
                case "Dropout":
                {
                    if (node.Input.Count >= 3 && node.Input[2].Length > 0)
                        throw g.Error(n, "is a Dropout with a training_mode input; only inference Dropout (the identity) is read.");
                    if (node.Output.Count > 1 && node.Output[1].Length > 0 && g.Readers(node.Output[1]).Count > 0)
                        throw g.Error(n, "is a Dropout whose mask is used; only inference Dropout (the identity) is read.");
                    float ratio = node.Input.Count > 1 && node.Input[1].Length > 0 && g.IsConstant(node.Input[1]) ? g.Floats(n, node.Input[1], "ratio").Values.FirstOrDefault() : g.Float(n, "ratio", 0.5f);
                    if (!(ratio >= 0 && ratio < 1)) throw g.Error(n, $"is a Dropout of ratio {OnnxNodes.R(ratio)}; CnnGen's Dropout takes a rate at least 0 and below 1.");
                    Add(new OnnxLayerDecl("Dropout", OnnxLayerDecl.Arg("rate", OnnxNodes.Shortest(ratio))), n);
                    break;
                }
                case "Pad":
                {
                    long[]? pads = node.Input.Count > 1 ? g.Int64s(n, node.Input[1], "pads") : g.Ints(n, "pads", []);
                    if (pads is null || pads.Any(p => p != 0))
                        throw g.Error(n, "is a Pad of non-zero or computed pads; CnnGen pads only inside a Conv2D (Padding =).");
                    break;
                }
                case "Add" when blockInput is not null:
                {
                    if (node.Input.Count != 2) throw g.Error(n, "is an Add of more than two tensors.");
                    string other = node.Input[0] == current ? node.Input[1] : node.Input[0];
                    if (other == blockInput)
                        Add(new OnnxLayerDecl("Add"), n);
                    else if (g.Producer(other) is int p && p >= 0 && g[p].OpType == "Conv" && g[p].Input[0] == blockInput && !g.IsUsed(p)
                             && OnnxNodes.ConvShape(g, p) is { Kernel: 1, Padding: 0, Groups: 1 } projection)
                    {
                        var (w, _) = g.Floats(p, g[p].Input[1], "weights");
                        float[] b = g[p].Input.Count > 2 && g[p].Input[2].Length > 0 ? g.Floats(p, g[p].Input[2], "bias").Values : new float[projection.Filters];
                        if (b.Length != projection.Filters) throw g.Error(p, $"has {b.Length} bias values for {projection.Filters} filters.");
                        Add(new OnnxLayerDecl("Add", OnnxLayerDecl.Prop("Projection", true)), n, [w, b]);
                        g.Use(p);
                    }
                    else throw g.Error(n, $"adds '{other}', neither the residual block's input '{blockInput}' nor a 1x1 convolution of it.");
                    blockInput = null;
                    break;
                }
                case "Conv":
                {
                    var decl = OnnxNodes.Declare(g, n, out string reason) ?? throw g.Error(n, $"has no CnnGen layer: it would need {reason}.");
                    var (w, _) = g.Floats(n, node.Input[1], "weights");
                    var c = OnnxNodes.ConvShape(g, n)!.Value;
                    if (node.Input.Count > 2 && node.Input[2].Length > 0)
                    {
                        var (b, bd) = g.Floats(n, node.Input[2], "bias");
                        if (b.Length != c.Filters || bd.Length != 1) throw g.Error(n, $"has a bias of shape {OnnxGraph.Shape(bd)} for {c.Filters} filters.");
                        Add(decl, n, [w, b]);
                    }
                    else Add(decl, n, [w]);
                    break;
                }
                case "Gemm" or "MatMul":
                    n = Dense(g, n, Add);
                    break;
                case "BatchNormalization":
                {
                    if (node.Input.Count != 5) throw g.Error(n, $"is a BatchNormalization with {node.Input.Count} inputs, not 5.");
                    if (g.Int(n, "training_mode", 0) != 0 || node.Output.Count(o => o.Length > 0) > 1)
                        throw g.Error(n, "is a BatchNormalization in training mode; only the inference form (running statistics) is read.");
                    string[] roles = ["scale", "shift", "running mean", "running variance"];
                    var values = new float[4][];
                    for (int k = 0; k < 4; k++)
                    {
                        var (v, d) = g.Floats(n, node.Input[k + 1], roles[k]);
                        if (d.Length != 1 || (k > 0 && v.Length != values[0].Length))
                            throw g.Error(n, $"has its {roles[k]} of shape {OnnxGraph.Shape(d)}; BatchNormalization's are one value per channel.");
                        values[k] = v;
                    }
                    if (values[3].Any(v => v < 0)) throw g.Error(n, "has a negative running variance.");
                    Add(OnnxNodes.BatchNormDecl(g.Float(n, "epsilon", 1e-5f)), n, [values[0], values[1]], [values[2], values[3]]);
                    break;
                }
                case "MaxPool" or "AveragePool":
                {
                    var decl = OnnxNodes.Declare(g, n, out string reason) ?? throw g.Error(n, $"has no CnnGen layer: it would need {reason}.");
                    if (g.Int(n, "ceil_mode", 0) != 0) throw g.Error(n, $"is a {node.OpType} with ceil_mode 1; CnnGen's pooling windows end inside the input (ceil_mode 0).");
                    if (node.OpType == "AveragePool" && g.Int(n, "count_include_pad", 0) != 0 && g.Ints(n, "pads", []).Any(p => p != 0))
                        throw g.Error(n, "is an AveragePool that counts padding; CnnGen's AvgPool has none.");
                    if (node.Output.Count > 1 && node.Output[1].Length > 0) throw g.Error(n, "is a MaxPool whose indices output is used; CnnGen's MaxPool has none.");
                    Add(decl, n);
                    break;
                }
                case "Flatten" or "Reshape":
                    if (!Flattens(g, n, allowSqueeze: false))
                        throw g.Error(n, node.OpType == "Flatten" ? $"is a Flatten of axis {g.Int(n, "axis", 1)}; CnnGen's Flatten keeps the batch axis (axis 1)."
                                                                 : "is a Reshape, but not to (N, -1); CnnGen has a Flatten, no other reshape.");
                    Add(new OnnxLayerDecl("Flatten"), n);
                    break;
                case "GlobalAveragePool":
                    Add(new OnnxLayerDecl("GlobalAvgPool"), n);
                    g.Use(n);
                    current = node.Output[0];
                    if (g.Readers(current) is [int f] && Flattens(g, f, allowSqueeze: true)) n = f; // (N, C, 1, 1) to (N, C) belongs to it
                    break;
                case "Softmax":
                {
                    long axis = g.Int(n, "axis", g.Opset >= 13 ? -1 : 1);
                    if (axis is not (1 or -1)) throw g.Error(n, $"is a Softmax over axis {axis}, not over the classes (axis 1).");
                    Add(new OnnxLayerDecl("Softmax"), n);
                    break;
                }
                default:
                {
                    var decl = OnnxNodes.Declare(g, n, out string reason) ?? throw g.Error(n, $"has no CnnGen layer: it would need {reason}.");
                    Add(decl, n);
                    break;
                }
            }
            g.Use(n);
            current = g[n].Output[0];
        }
        if (blockInput is not null)
            throw g.Error($"opens a residual block at '{blockInput}' that no Add closes.");
        if (!g.Graph.Output.Any(o => o.Name == current))
            throw g.Error($"ends the chain at '{current}', which is not a graph output.");
        if (g.Graph.Output.Count != 1)
            throw g.Error($"has {g.Graph.Output.Count} graph outputs; a CnnGen network has one, its probabilities.");
        if (g.FirstUnused() is int unused and >= 0)
            throw g.Error(unused, "is not on the chain from the input to the output: CnnGen cannot declare it.");
        if (layers.Count == 0 || layers[layers.Count - 1].Decl.Kind != "Softmax")
            throw g.Error($"does not end with a Softmax (it ends with {(layers.Count == 0 ? "nothing" : layers[layers.Count - 1].Decl.ToString())}); CnnGen's networks output probabilities: export the model with a Softmax.");
        return new OnnxChainResult(shape, layers);
    }

    /// <summary>A 1x1 Conv whose only reader is an Add: a residual block's projection, not the block's first layer.</summary>
    private static bool IsProjection(OnnxGraph g, int n) =>
        g[n].OpType == "Conv" && g.Readers(g[n].Output[0]) is [int a] && g[a].OpType == "Add" && g.Dims(g[n].Input.Count > 1 ? g[n].Input[1] : "") is [_, _, 1, 1];

    /// <summary>Whether node <paramref name="n"/> turns (N, ...) into (N, features): Flatten of axis 1, Reshape to (N, -1), or (after global pooling) Squeeze of the spatial axes.</summary>
    private static bool Flattens(OnnxGraph g, int n, bool allowSqueeze)
    {
        var node = g[n];
        return node.OpType switch
        {
            "Flatten" => g.Int(n, "axis", 1) == 1,
            "Reshape" => node.Input.Count == 2 && g.Int64s(n, node.Input[1], "shape") is [-1 or 0, var c] && (c == -1 || c > 0),
            "Squeeze" => allowSqueeze && (node.Input.Count == 2 ? g.Int64s(n, node.Input[1], "axes") : g.Ints(n, "axes", [])) is [2, 3] or [-2, -1],
            _ => false,
        };
    }

    /// <summary>Gemm, or MatMul with an Add of a stored bias: a dense layer, its weights as (units, inputs). Returns the last node used.</summary>
    private static int Dense(OnnxGraph g, int n, System.Action<OnnxLayerDecl, int, float[][]?, float[][]?> add)
    {
        var node = g[n];
        if (node.Input.Count < 2) throw g.Error(n, $"is a {node.OpType} without weights.");
        var (w, wd) = g.Floats(n, node.Input[1], "weights");
        bool transposed = false;
        string? biasName = null;
        int last = n;
        if (node.OpType == "Gemm")
        {
            if (g.Float(n, "alpha", 1) != 1 || g.Float(n, "beta", 1) != 1 || g.Int(n, "transA", 0) != 0)
                throw g.Error(n, $"is a Gemm with alpha {OnnxNodes.R(g.Float(n, "alpha", 1))}, beta {OnnxNodes.R(g.Float(n, "beta", 1))}, transA {g.Int(n, "transA", 0)}; CnnGen's Dense is alpha 1, beta 1, transA 0.");
            transposed = g.Int(n, "transB", 0) != 0;
            if (node.Input.Count > 2 && node.Input[2].Length > 0) biasName = node.Input[2];
        }
        else if (g.Readers(node.Output[0]) is [int a] && g[a].OpType == "Add" && g[a].Input.Count == 2)
        {
            // MatMul, then Add of a stored bias
            string other = g[a].Input[0] == node.Output[0] ? g[a].Input[1] : g[a].Input[0];
            if (g.IsConstant(other)) { biasName = other; last = a; }
        }
        if (wd.Length != 2) throw g.Error(n, $"is a {node.OpType} with weights of shape {OnnxGraph.Shape(wd)}; a dense layer's are two-dimensional.");
        // CnnGen's dense weights are (units, inputs), as Gemm's B with transB = 1; MatMul's and transB = 0 are (inputs, units)
        int units = (int)(transposed ? wd[0] : wd[1]), inputs = (int)(transposed ? wd[1] : wd[0]);
        float[] weights = w;
        if (!transposed)
        {
            weights = new float[w.Length];
            for (int u = 0; u < units; u++)
                for (int i = 0; i < inputs; i++)
                    weights[u * inputs + i] = w[i * units + u];
        }
        if (biasName is null)
        {
            add(OnnxNodes.DenseDecl(units, bias: false), n, [weights], null);
            return last;
        }
        var (b, bd) = g.Floats(last, biasName, "bias");
        if (b.Length != units || !(bd.Length == 1 || (bd.Length == 2 && bd[0] == 1)))
            throw g.Error(last, $"has a bias of shape {OnnxGraph.Shape(bd)} for a dense layer of {units} units.");
        add(OnnxNodes.DenseDecl(units, bias: true), n, [weights, b], null);
        if (last != n) g.Use(n);
        return last;
    }
}

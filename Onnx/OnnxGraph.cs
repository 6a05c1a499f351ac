using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnGen.Onnx.Proto;
using Google.Protobuf;

namespace CnnGen.Onnx;

/// <summary>
/// A parsed ONNX model, indexed for walking its graph: the constant tensors (initializers, <c>Constant</c> nodes and
/// <c>Identity</c> nodes of constants), which nodes read each tensor, and which nodes the walk has used. Every problem
/// is an <see cref="OnnxModelException"/> naming the file (and the node).
/// </summary>
internal sealed class OnnxGraph
{
    public string File { get; }
    public ModelProto Model { get; }
    public GraphProto Graph => Model.Graph;
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _producer = new(StringComparer.Ordinal);
    private readonly bool[] _used;

    private OnnxGraph(string file, ModelProto model)
    {
        File = file;
        Model = model;
        foreach (var t in Graph.Initializer)
            if (t.Name.Length > 0) _constants[t.Name] = t;
        _used = new bool[Graph.Node.Count];
        for (int i = 0; i < Graph.Node.Count; i++)
        {
            var node = Graph.Node[i];
            if (node.OpType.Length == 0)
                throw Error(i, "has no operator (op_type is empty).");
            if (node.Output.Count == 0 || node.Output[0].Length == 0)
                throw Error(i, "has no output.");
            if (node.Domain is not ("" or "ai.onnx"))
                throw Error(i, $"is in operator domain '{node.Domain}'; only the default ONNX domain is supported.");
            foreach (string output in node.Output)
                if (output.Length > 0 && !_producer.ContainsKey(output)) _producer[output] = i;
            // constants: Constant nodes, and Identity nodes of constants (PyTorch writes these for shared weights)
            if (node.OpType == "Constant" && node.Output.Count == 1)
            {
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null)
                            ?? throw Error(i, "is a Constant without a tensor 'value'; only tensor constants are supported.");
                _constants[node.Output[0]] = value.T;
                _used[i] = true;
                continue;
            }
            if (node.OpType == "Identity" && node.Input.Count == 1 && node.Output.Count == 1 && _constants.TryGetValue(node.Input[0], out var source))
            {
                _constants[node.Output[0]] = source;
                _used[i] = true;
                continue;
            }
            foreach (string input in node.Input)
            {
                if (input.Length == 0) continue;
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(i);
            }
        }
    }

    /// <summary>Reads and checks <paramref name="bytes"/> as an ONNX model (<paramref name="file"/> names it in errors).</summary>
    public static OnnxGraph Parse(byte[] bytes, string file)
    {
        if (bytes.Length == 0) throw new OnnxModelException(file, null, "is empty; an ONNX model is a protobuf ModelProto.");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException(file, null, $"is not a readable ONNX model (truncated or corrupted protobuf: {e.Message})", e);
        }
        if (model.IrVersion <= 0 || model.Graph is null)
            throw new OnnxModelException(file, null, $"is not an ONNX model: {(model.IrVersion <= 0 ? "no ir_version" : "no graph")} (the protobuf read as {Fields(model)}).");
        if (model.IrVersion > 11)
            throw new OnnxModelException(file, null, $"has ONNX IR version {model.IrVersion}; versions 1 to 11 are read.");
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (model.IrVersion >= 3 && opset is null)
            throw new OnnxModelException(file, null, "imports no operator set of the default ONNX domain.");
        if (model.Graph.Node.Count == 0)
            throw new OnnxModelException(file, null, "has a graph without nodes.");
        // files CnnGen.Onnx wrote carry the CRC-32 of their graph
        var crc = model.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.GraphCrcKey);
        if (crc is not null && crc.Value != GraphCrc(model.Graph))
            throw new OnnxModelException(file, null,
                $"is corrupted: its graph's CRC-32 is {GraphCrc(model.Graph)}, but the file records {crc.Value} (metadata '{OnnxNames.GraphCrcKey}', written by CnnGen.Onnx). " +
                "If the file was edited on purpose, remove that metadata entry.");
        return new OnnxGraph(file, model);
    }

    /// <summary>The CRC-32 of <paramref name="graph"/> as serialized, in 8 hex digits (the exporter writes it as metadata <see cref="OnnxNames.GraphCrcKey"/>).</summary>
    internal static string GraphCrc(GraphProto graph) =>
        CnnGen.Training.Crc32.Compute(graph.ToByteArray()).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Little-endian IEEE floats (ONNX raw data) into <paramref name="values"/>, on any byte order.</summary>
    private static void ReadLittleEndian(ReadOnlySpan<byte> raw, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
            return;
        }
        Span<byte> four = stackalloc byte[4];
        for (int i = 0; i < values.Length; i++)
        {
            raw.Slice(i * 4, 4).CopyTo(four);
            four.Reverse();
            values[i] = MemoryMarshal.Read<float>(four);
        }
    }

    private static string Fields(ModelProto m) =>
        $"ir_version {m.IrVersion}, {m.OpsetImport.Count} opset imports, graph {(m.Graph is null ? "absent" : $"of {m.Graph.Node.Count} nodes")}";

    /// <summary>The default domain's operator set version (1 when none is named, as for IR version 2).</summary>
    public long Opset => Model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;

    public NodeProto this[int index] => Graph.Node[index];

    /// <summary><c>'name' (Op, #3)</c>: how errors name a node.</summary>
    public string Describe(int index)
    {
        var node = Graph.Node[index];
        return node.Name.Length > 0 ? $"'{node.Name}' ({node.OpType}, #{index.ToString(CultureInfo.InvariantCulture)})"
                                    : $"#{index.ToString(CultureInfo.InvariantCulture)} ({node.OpType})";
    }

    public OnnxModelException Error(int node, string message) => new(File, Describe(node), message);
    public OnnxModelException Error(string message) => new(File, null, message);

    public bool IsConstant(string tensor) => _constants.ContainsKey(tensor);
    public bool IsUsed(int node) => _used[node];
    public void Use(int node) => _used[node] = true;

    /// <summary>The node that writes <paramref name="tensor"/>, or -1 (a graph input or a constant).</summary>
    public int Producer(string tensor) => _producer.TryGetValue(tensor, out int i) ? i : -1;

    /// <summary>The nodes not yet used that read <paramref name="tensor"/>, in graph order.</summary>
    public List<int> Readers(string tensor) =>
        _consumers.TryGetValue(tensor, out var list) ? list.Where(i => !_used[i]).ToList() : [];

    /// <summary>The first node the walk has not used (besides constants), or -1.</summary>
    public int FirstUnused() => Array.IndexOf(_used, false);

    // ---- attributes -------------------------------------------------------------------------------------------

    public AttributeProto? Attribute(int node, string name) => Graph.Node[node].Attribute.FirstOrDefault(a => a.Name == name);

    public long Int(int node, string name, long fallback) => Attribute(node, name) is { } a ? a.I : fallback;

    public float Float(int node, string name, float fallback) => Attribute(node, name) is { } a ? a.F : fallback;

    public string String(int node, string name, string fallback) => Attribute(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    /// <summary>An INTS attribute, or <paramref name="fallback"/> when absent.</summary>
    public long[] Ints(int node, string name, long[] fallback) => Attribute(node, name) is { } a ? [.. a.Ints] : fallback;

    /// <summary>The attributes of a node other than <paramref name="known"/>, for "unsupported attribute" errors.</summary>
    public string[] OtherAttributes(int node, params string[] known) =>
        [.. Graph.Node[node].Attribute.Select(a => a.Name).Where(n => !known.Contains(n))];

    // ---- constant tensors -------------------------------------------------------------------------------------

    /// <summary>The dims of the constant <paramref name="tensor"/>, or null when it is not a constant.</summary>
    public long[]? Dims(string tensor) => _constants.TryGetValue(tensor, out var t) ? [.. t.Dims] : null;

    /// <summary>The float values and dims of the constant <paramref name="tensor"/> (input of <paramref name="node"/>).</summary>
    public (float[] Values, long[] Dims) Floats(int node, string tensor, string role)
    {
        if (!_constants.TryGetValue(tensor, out var t))
            throw Error(node, $"reads its {role} from '{tensor}', which is computed in the graph, not a stored tensor (an initializer or Constant).");
        long count = Count(node, t, role);
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw Error(node, $"has its {role} '{tensor}' in an external data file; only tensors stored in the model file are read.");
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw Error(node, $"has its {role} '{tensor}' as {TypeName(t.DataType)}; weights are read as float (FLOAT, type 1).");
        var values = new float[count];
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != count * 4)
                throw Error(node, $"has its {role} '{tensor}' of shape {Shape(t.Dims)} ({count} floats) with {t.RawData.Length} bytes of raw data, not {count * 4}.");
            ReadLittleEndian(t.RawData.Span, values);
        }
        else
        {
            if (t.FloatData.Count != count)
                throw Error(node, $"has its {role} '{tensor}' of shape {Shape(t.Dims)} ({count} floats) with {t.FloatData.Count} values.");
            t.FloatData.CopyTo(values, 0);
        }
        foreach (float v in values)
            if (float.IsNaN(v) || float.IsInfinity(v))
                throw Error(node, $"has a value {v.ToString(CultureInfo.InvariantCulture)} in its {role} '{tensor}'; every weight must be finite.");
        return (values, [.. t.Dims]);
    }

    /// <summary>The integer values of the constant <paramref name="tensor"/> (pads, shapes), or null when it is not one.</summary>
    public long[]? Int64s(int node, string tensor, string role)
    {
        if (!_constants.TryGetValue(tensor, out var t)) return null;
        long count = Count(node, t, role);
        if (t.DataType != (int)TensorProto.Types.DataType.Int64)
            throw Error(node, $"has its {role} '{tensor}' as {TypeName(t.DataType)}, not INT64.");
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != count * 8)
                throw Error(node, $"has its {role} '{tensor}' with {t.RawData.Length} bytes of raw data, not {count * 8}.");
            var values = new long[count];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(t.RawData.Span.Slice(i * 8, 8));
            return values;
        }
        if (t.Int64Data.Count != count)
            throw Error(node, $"has its {role} '{tensor}' with {t.Int64Data.Count} values, not {count}.");
        return [.. t.Int64Data];
    }

    private long Count(int node, TensorProto t, string role)
    {
        long count = 1;
        foreach (long d in t.Dims)
        {
            if (d < 0 || d > int.MaxValue) throw Error(node, $"has its {role} '{t.Name}' with dimension {d}.");
            count *= d;
            if (count > int.MaxValue) throw Error(node, $"has its {role} '{t.Name}' of shape {Shape(t.Dims)}: more values than a weight tensor can hold.");
        }
        return count;
    }

    public static string Shape(IEnumerable<long> dims) => "(" + string.Join(", ", dims) + ")";

    private static string TypeName(int type) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), type) ? ((TensorProto.Types.DataType)type).ToString().ToUpperInvariant() + $" (type {type})" : $"type {type}";

    /// <summary>The graph inputs that are not initializers (IR versions before 4 list the weights as inputs too).</summary>
    public List<ValueInfoProto> RealInputs() => [.. Graph.Input.Where(i => !_constants.ContainsKey(i.Name))];
}

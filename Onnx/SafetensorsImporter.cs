using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen.Structure;

namespace CnnGen.Onnx;

/// <summary>A safetensors file that cannot be read, or whose tensors do not fit the network it is loaded into.</summary>
public sealed class SafetensorsException(string filePath, string message) : Exception($"safetensors file '{filePath}': {message}")
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = filePath;
}

/// <summary>What an import read: the file, the tensors used, and the header's <c>__metadata__</c>.</summary>
public sealed record SafetensorsImportResult(string File, int TensorsMatched, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Loads a PyTorch <c>state_dict</c> saved as safetensors (an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the tensor bytes) into a generated network declared with the same
/// architecture. The file has no graph, so modules are matched by order: the tensor names are grouped by module (all but
/// the last dot-separated part: <c>features.3</c> of <c>features.3.weight</c>) and the modules taken in natural order
/// (numbers compared as numbers: <c>2</c> before <c>10</c>), which is the layer order of an <c>nn.Sequential</c> and of
/// names such as <c>conv1, conv2, fc1</c>. Each layer with parameters (Conv2D, Dense, BatchNorm, a projected Add) takes
/// the next module, which must hold exactly its tensors (<c>weight</c>, <c>bias</c>; BatchNorm also
/// <c>running_mean</c>, <c>running_var</c> and, ignored, <c>num_batches_tracked</c>) in PyTorch's shapes, as float32.
/// The first tensor or module that does not fit is a <see cref="SafetensorsException"/> naming it and the layer; nothing
/// is written into the network unless every layer matched and no module is left over.
/// </summary>
public static class SafetensorsImporter
{
    /// <summary>Header sizes beyond this are refused before anything is allocated (the official reader's limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public static SafetensorsImportResult Load(string path, INetwork net)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SafetensorsException(path, $"cannot be read ({e.Message}).");
        }
        return Load(bytes, net, path);
    }

    /// <summary>Loads the safetensors file in <paramref name="bytes"/>; <paramref name="name"/> names it in errors.</summary>
    public static SafetensorsImportResult Load(byte[] bytes, INetwork net, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(name);
        var (tensors, metadata, data) = Read(bytes, name);
        var parameters = net.Parameters.ToArray();
        var state = net.State.ToArray();
        var modules = tensors.GroupBy(t => Module(t.Name)).OrderBy(g => g.Key, NaturalOrder.Instance).ToList();
        int next = 0, matched = 0;
        foreach (var layer in net.Layers)
        {
            var expected = Expected(layer);
            if (expected.Count == 0) continue;
            if (next == modules.Count)
                throw new SafetensorsException(name, $"has no module left for {Describe(layer)} of {net.Name} (its {modules.Count} modules: {string.Join(", ", modules.Select(m => m.Key))}).");
            var module = modules[next++];
            var byPart = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var t in module) byPart[Part(t.Name)] = t;
            foreach (var (part, shape, target, offset) in expected)
            {
                if (!byPart.Remove(part, out var t))
                    throw new SafetensorsException(name, $"module '{module.Key}' has no '{part}' tensor, which {Describe(layer)} of {net.Name} needs ({Shape(shape)}); it has {string.Join(", ", module.Select(x => "'" + x.Name + "'"))}.");
                if (t.DType != "F32")
                    throw new SafetensorsException(name, $"tensor '{t.Name}' is {t.DType}; {Describe(layer)} takes float32 (F32) weights.");
                if (!t.Shape.SequenceEqual(shape))
                    throw new SafetensorsException(name, $"tensor '{t.Name}' has shape {Shape(t.Shape)}; {Describe(layer)} of {net.Name} needs {Shape(shape)}.");
                var values = data.Span.Slice((int)t.Begin, (int)(t.End - t.Begin));
                var destination = (target == Target.Parameters ? parameters : state).AsSpan(offset, t.Count);
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(values.Slice(4 * i, 4));
                matched++;
            }
            byPart.Remove("num_batches_tracked");
            if (byPart.Count > 0)
                throw new SafetensorsException(name, $"module '{module.Key}' has {string.Join(", ", byPart.Values.Select(t => "'" + t.Name + "'"))}, which {Describe(layer)} of {net.Name} does not have.");
        }
        if (next < modules.Count)
            throw new SafetensorsException(name, $"has modules after the last layer of {net.Name}: {string.Join(", ", modules.Skip(next).Select(m => "'" + m.Key + "'"))}.");
        parameters.CopyTo(net.Parameters);
        state.CopyTo(net.State);
        return new SafetensorsImportResult(name, matched, metadata);
    }

    private enum Target { Parameters, State }

    /// <summary>The tensors a layer takes, by the last part of their names, PyTorch's shapes, where they go.</summary>
    private static List<(string Part, int[] Shape, Target Target, int Offset)> Expected(LayerInfo l)
    {
        var list = new List<(string, int[], Target, int)>();
        switch (l.Op)
        {
            case LayerOp.Conv2D or LayerOp.Dense or LayerOp.Add when l.Parameters.Count > 0:
                list.Add(("weight", l.Parameters[0].Shape, Target.Parameters, l.Parameters[0].Offset));
                if (l.Parameters.Count > 1) list.Add(("bias", l.Parameters[1].Shape, Target.Parameters, l.Parameters[1].Offset));
                break;
            case LayerOp.BatchNorm:
                int c = l.StateCount / 2;
                list.Add(("weight", l.Parameters[0].Shape, Target.Parameters, l.Parameters[0].Offset));
                list.Add(("bias", l.Parameters[1].Shape, Target.Parameters, l.Parameters[1].Offset));
                list.Add(("running_mean", [c], Target.State, l.StateOffset));
                list.Add(("running_var", [c], Target.State, l.StateOffset + c));
                break;
        }
        return list;
    }

    private static string Describe(LayerInfo l) => l.Op switch
    {
        LayerOp.Add => $"layer {l.Name} (the residual projection, {l.Filters} channels)",
        _ => $"layer {l.Name} ({l.Op})",
    };

    private static string Module(string tensor) => tensor.LastIndexOf('.') is int dot and >= 0 ? tensor[..dot] : "";
    private static string Part(string tensor) => tensor[(tensor.LastIndexOf('.') + 1)..];
    private static string Shape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    private sealed record Tensor(string Name, string DType, int[] Shape, long Begin, long End)
    {
        public int Count => Shape.Aggregate(1, (a, b) => a * b);
    }

    private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1, ["BOOL"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
    };

    /// <summary>The header's tensors (checked against the data they point into), its metadata, and the data.</summary>
    private static (List<Tensor> Tensors, Dictionary<string, string> Metadata, ReadOnlyMemory<byte> Data) Read(byte[] bytes, string name)
    {
        if (bytes.Length < 8)
            throw new SafetensorsException(name, $"is {bytes.Length} bytes long; a safetensors file starts with an 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
            throw new SafetensorsException(name, $"declares a header of {headerLength:N0} bytes, but {(headerLength > MaxHeaderBytes ? $"at most {MaxHeaderBytes:N0} are allowed" : $"only {bytes.Length - 8:N0} follow")} (truncated, or not a safetensors file).");
        var data = new ReadOnlyMemory<byte>(bytes, 8 + (int)headerLength, bytes.Length - 8 - (int)headerLength);
        if (!System.Text.Unicode.Utf8.IsValid(new ReadOnlySpan<byte>(bytes, 8, (int)headerLength)))
            throw new SafetensorsException(name, "has a header that is not valid UTF-8 text (corrupted, or not a safetensors file).");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(bytes, 8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new SafetensorsException(name, $"has a header that is not JSON ({e.Message}).");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsException(name, $"has a header that is a JSON {doc.RootElement.ValueKind}, not an object of tensors.");
            var tensors = new List<Tensor>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw new SafetensorsException(name, $"names tensor '{p.Name}' twice.");
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw new SafetensorsException(name, "has a __metadata__ that is not an object of strings.");
                    foreach (var m in p.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                tensors.Add(ReadTensor(p, data.Length, name));
            }
            if (tensors.Count == 0) throw new SafetensorsException(name, "holds no tensors.");
            return (tensors, metadata, data);
        }
    }

    private static Tensor ReadTensor(JsonProperty p, int dataLength, string file)
    {
        string Bad(string what) => $"tensor '{p.Name}': {what}";
        var v = p.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new SafetensorsException(file, Bad("its entry is not an object."));
        if (!v.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw new SafetensorsException(file, Bad("has no dtype."));
        string type = dtype.GetString()!;
        if (!DTypeSizes.TryGetValue(type, out int size)) throw new SafetensorsException(file, Bad($"has an unknown dtype '{type}'."));
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsException(file, Bad("has no shape."));
        var shape = new List<int>();
        long count = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int n) || n < 0)
                throw new SafetensorsException(file, Bad($"has a shape entry {d.GetRawText()}, not a non-negative integer."));
            shape.Add(n);
            count *= n;
            if (count > int.MaxValue) throw new SafetensorsException(file, Bad("is larger than 2^31 values."));
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2 ||
            !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw new SafetensorsException(file, Bad("has no data_offsets [begin, end]."));
        if (begin < 0 || end < begin || end > dataLength)
            throw new SafetensorsException(file, Bad($"has data_offsets [{begin}, {end}] outside the {dataLength:N0} data bytes (truncated file?)."));
        if (end - begin != count * size)
            throw new SafetensorsException(file, Bad($"has {end - begin:N0} bytes of data; shape {Shape(shape)} of {type} takes {count * size:N0}."));
        return new Tensor(p.Name, type, shape.ToArray(), begin, end);
    }

    /// <summary>
    /// Names compared by runs of digits and of other characters in turn, digit runs as numbers: <c>2</c> before
    /// <c>10</c>, <c>conv2</c> before <c>conv10</c>, <c>layer1.0</c> before <c>layer1.1</c>.
    /// </summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? a, string? b)
        {
            a ??= "";
            b ??= "";
            int i = 0, j = 0;
            while (i < a.Length && j < b.Length)
            {
                bool da = char.IsAsciiDigit(a[i]), db = char.IsAsciiDigit(b[j]);
                int ei = i, ej = j;
                while (ei < a.Length && char.IsAsciiDigit(a[ei]) == da) ei++;
                while (ej < b.Length && char.IsAsciiDigit(b[ej]) == db) ej++;
                var x = a.AsSpan(i, ei - i);
                var y = b.AsSpan(j, ej - j);
                int c;
                if (da && db)
                {
                    var tx = x.TrimStart('0');
                    var ty = y.TrimStart('0');
                    c = tx.Length != ty.Length ? tx.Length.CompareTo(ty.Length) : tx.SequenceCompareTo(ty);
                }
                else c = x.SequenceCompareTo(y);
                if (c != 0) return c;
                i = ei;
                j = ej;
            }
            return (a.Length - i).CompareTo(b.Length - j);
        }
    }
}

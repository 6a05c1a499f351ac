using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

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
        FromBytes(OnnxFile.Read(path), path, className, ns);

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
        var chain = OnnxChain.Read(g);
        return (chain.NetworkText, [.. chain.Layers.Select(l => l.Decl.ToString())]);
    }
}

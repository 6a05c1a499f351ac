using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;

namespace CnnGen.Sample.Web.Model;

/// <summary>One layer of a generated network, as its compile-time <c>Summary</c> lists it.</summary>
/// <param name="Name">The generated name (<c>Conv1</c>), the stem of its methods and buffers.</param>
/// <param name="Kind">What the summary says about it (<c>Conv2D 1-&gt;6, k=5, stride=1, pad=2</c>).</param>
/// <param name="Shape">Output shape per sample: (C, H, W) or (N).</param>
public sealed record LayerInfo(string Name, string Kind, int[] Shape)
{
    /// <summary>Whether the output is a stack of feature maps.</summary>
    public bool IsSpatial => Shape.Length == 3;

    /// <summary>Values per sample.</summary>
    public int Size
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>The shape as the summary prints it, without the batch.</summary>
    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}

/// <summary>
/// The layers of a generated network and, after a <c>Predict</c> on this thread, each layer's output for that sample:
/// read from the single-sample scratch the generated <c>Predict</c> fills (one buffer per layer, <c>conv1_out</c> ...),
/// so what the page shows is what the generated code computed.
/// </summary>
public static class NetworkLayers
{
    /// <summary>The layers listed in a generated <c>Summary</c> (its rows between the ==== rules), input excluded.</summary>
    public static List<LayerInfo> Parse(string summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var layers = new List<LayerInfo>();
        string[] lines = summary.Split('\n');
        int rules = 0;
        foreach (string line in lines)
        {
            if (line.StartsWith("====", StringComparison.Ordinal)) { rules++; continue; }
            if (rules != 2) continue; // the table body is between the second and third rule
            int open = line.IndexOf("(B,", StringComparison.Ordinal), close = line.IndexOf(')', Math.Max(open, 0));
            if (open < 0 || close < 0) continue;
            string name = line[..line.IndexOf(' ')];
            if (name == "Input") continue;
            string kind = line[name.Length..open].Trim();
            var dims = line[(open + 3)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var shape = Array.ConvertAll(dims, d => int.Parse(d, CultureInfo.InvariantCulture));
            layers.Add(new LayerInfo(name, kind, shape));
        }
        if (layers.Count == 0) throw new FormatException("The network's Summary lists no layers (its format changed?).");
        return layers;
    }

    /// <summary>
    /// Layer <paramref name="layer"/>'s output from the last <c>Predict</c> of a <typeparamref name="TNet"/> on this thread,
    /// or null when the generated code keeps no buffer for it (a Flatten, the final Softmax) or nothing was predicted yet.
    /// </summary>
    public static float[]? Output<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicFields | DynamicallyAccessedMemberTypes.NonPublicNestedTypes)] TNet>(LayerInfo layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        object? scratch = Scratch(typeof(TNet));
        if (scratch is null) return null;
        var field = scratch.GetType().GetField(layer.Name.ToLowerInvariant() + "_out", BindingFlags.Public | BindingFlags.Instance);
        if (field?.GetValue(scratch) is not float[] buffer || buffer.Length < layer.Size) return null;
        return buffer.AsSpan(0, layer.Size).ToArray();
    }

    /// <summary>Whether the generated single-sample scratch keeps layer <paramref name="layer"/>'s output (a Flatten or the Softmax has none).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The scratch type's public fields are kept by the DynamicDependency on the page.")]
    public static bool HasOutput<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicFields)] TNet>(LayerInfo layer) =>
        typeof(TNet).GetField(ScratchField, BindingFlags.NonPublic | BindingFlags.Static)?.FieldType
            .GetField(layer.Name.ToLowerInvariant() + "_out", BindingFlags.Public | BindingFlags.Instance) is not null;

    /// <summary>Whether the generated class has the single-sample scratch this reads (a generator change could rename it).</summary>
    public static bool IsSupported<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicFields)] TNet>() =>
        typeof(TNet).GetField(ScratchField, BindingFlags.NonPublic | BindingFlags.Static) is not null;

    private const string ScratchField = "t_single";

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The scratch type's public fields are kept by the DynamicDependency on the page.")]
    private static object? Scratch([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicFields)] Type network) =>
        network.GetField(ScratchField, BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
}

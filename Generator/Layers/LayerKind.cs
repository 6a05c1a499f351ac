using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Layers;

/// <summary>
/// One layer kind as the generator knows it before shapes: its attribute, its name stem, and how it reads the
/// attribute's arguments. Its settings checks and shape rule are on its <see cref="LayerDecl"/>; its code is on its
/// <see cref="LayerSpec"/>. Every kind lives in one file of <c>Layers/</c> and has one line in <see cref="LayerRegistry"/>.
/// </summary>
internal abstract class LayerKind
{
    protected LayerKind(string title, string stem)
    {
        Title = title;
        Stem = stem;
        MetadataName = title + "Attribute";
        Attribute = "CnnGen." + MetadataName;
    }

    /// <summary>The attribute's name without <c>Attribute</c> (<c>Conv2D</c>), as diagnostics name the kind.</summary>
    public string Title { get; }
    /// <summary>The Runtime attribute's full metadata name (<c>CnnGen.Conv2DAttribute</c>).</summary>
    public string Attribute { get; }
    /// <summary>The attribute class's own metadata name, without its namespace (<c>Conv2DAttribute</c>).</summary>
    public string MetadataName { get; }
    /// <summary>Generated names are the stem plus a per-kind ordinal: <c>Conv1</c>.</summary>
    public string Stem { get; }
    /// <summary>What the kind is to the initialization rule of the weighted layer before it.</summary>
    public virtual InitRole Role => InitRole.Other;

    /// <summary>The declaration from the attribute's arguments (every argument a valid constant).</summary>
    public abstract LayerDecl Read(AttributeArgs args);

    public override string ToString() => Title;
}

/// <summary>How a kind affects the initialization of the weighted layer before it (see <see cref="InferContext.Init"/>).</summary>
internal enum InitRole
{
    /// <summary>Ends the search: Glorot uniform.</summary>
    Other,
    /// <summary>A ReLU-family activation: He normal.</summary>
    ReluFamily,
    /// <summary>Looked through (pooling, dropout, normalization, flatten).</summary>
    Transparent,
}

/// <summary>A layer as the user wrote it, before any shape is known.</summary>
internal abstract record LayerDecl
{
    /// <summary>The user's <c>Name</c>, if any.</summary>
    public string? Name { get; init; }
    public abstract LayerKind Kind { get; }

    /// <summary>Reports settings out of range; shape-independent.</summary>
    public virtual void Check(SettingsCheck check) { }

    /// <summary>The layer's spec with its output shape, or null after reporting why there is none.</summary>
    public abstract LayerSpec? Infer(InferContext ctx);
}

/// <summary>An attribute's arguments by parameter name (constructor parameters) and property name (named arguments).</summary>
internal sealed class AttributeArgs
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public void Set(string name, object? value) => _values[name] = value;
    public bool Has(string name) => _values.ContainsKey(name);
    public int Int(string name, int fallback = 0) => _values.TryGetValue(name, out var v) && v is int i ? i : fallback;
    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) && v is double d ? d : fallback;
    public bool Bool(string name, bool fallback) => _values.TryGetValue(name, out var v) && v is bool b ? b : fallback;
    public string? String(string name) => _values.TryGetValue(name, out var v) ? v as string : null;
}

/// <summary>
/// A problem found while planning; <see cref="Layer"/> is -1 for the network itself.
/// <see cref="Properties"/> carries what a code fix needs (keys in <see cref="DiagnosticDescriptors"/>).
/// </summary>
internal sealed record ShapeProblem(int Layer, DiagnosticDescriptor Descriptor, string[] Arguments,
                                    ImmutableDictionary<string, string?>? Properties = null)
{
    /// <summary>The problem with its arguments as invariant text; a trailing dictionary (from <see cref="FixProperties(string, string)"/>) becomes the properties.</summary>
    public static ShapeProblem Create(int layer, DiagnosticDescriptor descriptor, object[] args)
    {
        var properties = args.Length > 0 ? args[args.Length - 1] as ImmutableDictionary<string, string?> : null;
        int count = properties is null ? args.Length : args.Length - 1;
        var text = new string[count];
        for (int i = 0; i < count; i++)
            text[i] = args[i] is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : args[i]?.ToString() ?? "";
        return new ShapeProblem(layer, descriptor, text, properties);
    }

    /// <summary>Diagnostic properties for a code fix, passed as the last argument of a problem.</summary>
    public static ImmutableDictionary<string, string?> FixProperties(string key, long value) =>
        FixProperties(key, value.ToString(CultureInfo.InvariantCulture));

    public static ImmutableDictionary<string, string?> FixProperties(string key, string value) =>
        ImmutableDictionary<string, string?>.Empty.Add(key, value);
}

/// <summary>Settings checks of one layer, reported on its attribute.</summary>
internal sealed class SettingsCheck
{
    private readonly List<ShapeProblem> _problems;

    public SettingsCheck(string name, int index, List<ShapeProblem> problems)
    {
        LayerName = name;
        Index = index;
        _problems = problems;
    }

    public string LayerName { get; }
    public int Index { get; }
    /// <summary>No check failed.</summary>
    public bool Ok { get; private set; } = true;

    /// <summary>CNN011 when <paramref name="value"/> is not positive.</summary>
    public void Positive(string what, int value)
    {
        if (value > 0) return;
        _problems.Add(ShapeProblem.Create(Index, DiagnosticDescriptors.NonPositiveSize, new object[] { LayerName, what, value }));
        Ok = false;
    }

    /// <summary>CNN014 when the value is out of its range.</summary>
    public void Range(bool inRange, string what, string expected, object value)
    {
        if (inRange) return;
        _problems.Add(ShapeProblem.Create(Index, DiagnosticDescriptors.ArgumentOutOfRange, new object[] { LayerName, what, expected, value }));
        Ok = false;
    }
}

/// <summary>What a layer's shape rule sees: its input shape, its place, the planning settings, and where to report.</summary>
internal sealed class InferContext
{
    private readonly List<ShapeProblem> _problems;
    private readonly IReadOnlyList<LayerDecl> _decls;

    public InferContext(string name, int index, TensorShape input, int unrollMode, IReadOnlyList<LayerDecl> decls,
                        IReadOnlyList<LayerSpec> earlier, List<ShapeProblem> problems, List<string> notes)
    {
        Earlier = earlier;
        Name = name;
        Index = index;
        Input = input;
        UnrollMode = unrollMode;
        _decls = decls;
        _problems = problems;
        Notes = notes;
    }

    public string Name { get; }
    public int Index { get; }
    public TensorShape Input { get; }
    /// <summary>0 Auto, 1 Full, 2 None (the values of <c>CnnGen.Unroll</c>).</summary>
    public int UnrollMode { get; }
    /// <summary>The specs of the layers before this one, named and placed.</summary>
    public IReadOnlyList<LayerSpec> Earlier { get; }
    /// <summary>Notes for the generated header on what could not be unrolled.</summary>
    public List<string> Notes { get; }

    public void Problem(DiagnosticDescriptor descriptor, params object[] args) =>
        _problems.Add(ShapeProblem.Create(Index, descriptor, args));

    /// <summary>CNN008 unless the input is spatial (C, H, W).</summary>
    public bool RequireSpatial(LayerKind kind)
    {
        if (!Input.IsFlat) return true;
        Problem(DiagnosticDescriptors.NeedsSpatialInput, Name, kind.Title, Input.C);
        return false;
    }

    /// <summary>CNN013 when <paramref name="values"/> exceeds the limit; <paramref name="what"/> names the tensor.</summary>
    public bool TooLarge(string what, BigInteger values)
    {
        if (values <= ShapeInference.MaxValues) return false;
        Problem(DiagnosticDescriptors.NetworkTooLarge, Name, what, values, ShapeInference.MaxValues);
        return true;
    }

    /// <summary>
    /// CNN006 when the last rows or columns of the input are never covered by a window. <paramref name="h"/> and
    /// <paramref name="w"/> include a zero border of <paramref name="padding"/>: skipping only border rows loses nothing
    /// (a 3x3 convolution with stride 2 and padding 1 on an even size, as ResNets downsample), so that is no warning.
    /// For a convolution (<paramref name="padding"/> given) it also suggests the next larger padding, below the kernel
    /// size, that covers them, when there is one.
    /// </summary>
    public void WarnUnused(int window, int stride, long h, long w, int? padding = null)
    {
        long rows = (h - window) % stride, cols = (w - window) % stride;
        int border = padding ?? 0;
        if (rows <= border && cols <= border) return;
        object? fix = null;
        if (padding is int p)
            for (int q = p + 1; q <= p + stride && q < window; q++)
                if ((rows + 2L * (q - p)) % stride == 0 && (cols + 2L * (q - p)) % stride == 0)
                {
                    fix = ShapeProblem.FixProperties(DiagnosticDescriptors.PaddingProperty, q);
                    break;
                }
        if (fix is null) Problem(DiagnosticDescriptors.StrideLeavesInputUnused, Name, window, stride, h, w, rows, cols);
        else Problem(DiagnosticDescriptors.StrideLeavesInputUnused, Name, window, stride, h, w, rows, cols, fix);
    }

    /// <summary>He when the next activation (looking through <see cref="InitRole.Transparent"/> kinds) is in the ReLU family; Glorot otherwise.</summary>
    public InitKind Init()
    {
        for (int j = Index + 1; j < _decls.Count; j++)
        {
            switch (_decls[j].Kind.Role)
            {
                case InitRole.ReluFamily: return InitKind.HeNormal;
                case InitRole.Transparent: continue;
                default: return InitKind.GlorotUniform;
            }
        }
        return InitKind.GlorotUniform;
    }

    /// <summary>The product of three non-negative dimensions, exactly.</summary>
    public static BigInteger Volume(long a, long b, long c) => (BigInteger)a * b * c;
}

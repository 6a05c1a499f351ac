using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Layers;

/// <summary>The one list of layer kinds: adding a kind is one line here plus its file in <c>Layers/</c>.</summary>
internal static class LayerRegistry
{
    public static readonly LayerKind[] Kinds =
    {
        Conv2DKind.Instance,
        ActivationKind.ReLU,
        ActivationKind.LeakyReLU,
        ActivationKind.Tanh,
        ActivationKind.Sigmoid,
        PoolKind.Max,
        PoolKind.Average,
        FlattenKind.Instance,
        DenseKind.Instance,
        DropoutKind.Instance,
        BatchNormKind.Instance,
        SoftmaxKind.Instance,
        GlobalAvgPoolKind.Instance,
        ResidualKind.Instance,
        AddKind.Instance,
    };

    /// <summary>The kind whose Runtime attribute is <paramref name="type"/>, or null; allocates nothing (it runs on every edit).</summary>
    public static LayerKind? Find(INamedTypeSymbol? type)
    {
        if (!InRuntimeNamespace(type)) return null;
        string name = type!.MetadataName;
        foreach (var kind in Kinds)
            if (kind.MetadataName == name) return kind;
        return null;
    }

    /// <summary>Whether <paramref name="type"/> is <c>CnnGen.NetworkAttribute</c>, without building its name.</summary>
    public static bool IsNetworkAttribute(INamedTypeSymbol? type) =>
        InRuntimeNamespace(type) && type!.MetadataName == KnownNames.NetworkMetadataName;

    /// <summary>Whether <paramref name="type"/> is <c>CnnGen.OnnxNetworkAttribute</c>.</summary>
    public static bool IsOnnxNetworkAttribute(INamedTypeSymbol? type) =>
        InRuntimeNamespace(type) && type!.MetadataName == KnownNames.OnnxNetworkMetadataName;

    /// <summary>The kind whose attribute is named <paramref name="title"/> (<c>Conv2D</c>), or null.</summary>
    public static LayerKind? FindByTitle(string title)
    {
        foreach (var kind in Kinds)
            if (kind.Title == title) return kind;
        return null;
    }

    private static bool InRuntimeNamespace(INamedTypeSymbol? type) =>
        type is not null && type.TypeKind != TypeKind.Error && type.ContainingType is null
        && type.ContainingNamespace is { Name: KnownNames.RuntimeNamespace } ns
        && ns.ContainingNamespace is { IsGlobalNamespace: true };
}

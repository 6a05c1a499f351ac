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

    /// <summary>The kind whose attribute has the metadata name <paramref name="attribute"/>, or null.</summary>
    public static LayerKind? Find(string? attribute)
    {
        if (attribute is null) return null;
        foreach (var kind in Kinds)
            if (kind.Attribute == attribute) return kind;
        return null;
    }
}

namespace CnnGen.Generator;

/// <summary>
/// Metadata names of the Runtime attributes the pipeline keys on; the generator never references Runtime.dll.
/// The layer attributes' names come from <see cref="Layers.LayerRegistry"/>.
/// </summary>
internal static class KnownNames
{
    public const string RuntimeNamespace = "CnnGen";
    public const string NetworkMetadataName = "NetworkAttribute";
    public const string Network = RuntimeNamespace + "." + NetworkMetadataName;
}

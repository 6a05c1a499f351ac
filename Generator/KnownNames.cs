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
    public const string OnnxNetworkMetadataName = "OnnxNetworkAttribute";
    public const string OnnxNetwork = RuntimeNamespace + "." + OnnxNetworkMetadataName;
    /// <summary>The metadata the CnnGen build targets put on the text form of an ONNX additional file: the model's own path.</summary>
    public const string OnnxSourceMetadata = "build_metadata.AdditionalFiles.CnnGenOnnxSource";
}

namespace CnnGen.Training;

/// <summary>What a model file's header says.</summary>
/// <param name="Version">Format version.</param>
/// <param name="IsCheckpoint">True when the file also holds optimizer state and the training position.</param>
/// <param name="NetworkName">The network class name.</param>
/// <param name="Fingerprint">The network's architecture fingerprint.</param>
/// <param name="ParameterCount">Trainable parameters stored.</param>
/// <param name="StateCount">Non-trainable state values stored.</param>
/// <param name="PayloadLength">Bytes after the header.</param>
public sealed record ModelFileInfo(int Version, bool IsCheckpoint, string NetworkName, string Fingerprint, int ParameterCount, int StateCount, long PayloadLength)
{
    /// <summary>The string key/value pairs saved with the model (empty for a version-1 file or when none were given).</summary>
    public ModelMetadata Metadata { get; init; } = ModelMetadata.Empty;
}

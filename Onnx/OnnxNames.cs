namespace CnnGen.Onnx;

/// <summary>The names and numbers the exporter writes and the importer expects.</summary>
public static class OnnxNames
{
    /// <summary>The operator set the exporter writes (ONNX opset 13, IR version 7).</summary>
    public const int Opset = 13;
    /// <summary>The ONNX IR version that goes with <see cref="Opset"/>.</summary>
    public const long IrVersion = 7;
    /// <summary>The graph input: (N, C, H, W) floats, or (N, features) for a network with a flat input; N is dynamic.</summary>
    public const string Input = "input";
    /// <summary>The graph output: (N, classes) probabilities, the final Softmax.</summary>
    public const string Output = "probabilities";
    /// <summary>The name of the dynamic batch dimension.</summary>
    public const string BatchDimension = "N";
    /// <summary>Metadata key: the network's <see cref="INetwork.Fingerprint"/>.</summary>
    public const string FingerprintKey = "cnngen.fingerprint";
    /// <summary>Metadata key: the network's class name.</summary>
    public const string NetworkKey = "cnngen.network";
    /// <summary>
    /// Metadata key: the CRC-32 (8 hex digits) of the graph as serialized, written by the exporter and checked by the importer
    /// when present, so that a corrupted weight in a CnnGen-exported file is refused rather than loaded (ONNX itself has no
    /// checksum). A file edited on purpose after export must drop this entry.
    /// </summary>
    public const string GraphCrcKey = "cnngen.graph_crc32";
    /// <summary>Metadata key: what the graph expects as input (the normalization keys say how pixels became inputs).</summary>
    public const string InputKey = "cnngen.input";
}

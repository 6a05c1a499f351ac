namespace CnnGen.Generator;

/// <summary>Names of the tracked pipeline steps (tests assert their Cached/Modified state).</summary>
public static class TrackingNames
{
    /// <summary>Symbols to a <c>NetworkSource</c> value (runs on every edit).</summary>
    public const string Transform = nameof(Transform);
    /// <summary>A source to a spec plus diagnostics (runs when the source changed).</summary>
    public const string Analysis = nameof(Analysis);
    /// <summary>The value-equatable spec alone: feeds the source output.</summary>
    public const string Spec = nameof(Spec);
    /// <summary>The diagnostics alone (as values): those of networks that have any feed the diagnostics output.</summary>
    public const string Diagnostics = nameof(Diagnostics);
    /// <summary>Classes with layer attributes but no [Network].</summary>
    public const string MissingNetwork = nameof(MissingNetwork);
    /// <summary>ONNX additional files (and their text forms) as values.</summary>
    public const string OnnxFiles = nameof(OnnxFiles);
    /// <summary>Symbols to an <c>OnnxNetworkRequest</c> value (runs on every edit of an [OnnxNetwork] class's file).</summary>
    public const string OnnxTransform = nameof(OnnxTransform);
    /// <summary>A request and the ONNX files to a spec plus diagnostics.</summary>
    public const string OnnxAnalysis = nameof(OnnxAnalysis);
}

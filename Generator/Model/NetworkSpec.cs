namespace CnnGen.Generator.Model;

/// <summary>Everything the emitter needs to print one network: no symbols, no syntax, compared by value.</summary>
/// <param name="Namespace">The class's namespace, or empty for the global namespace.</param>
/// <param name="ClassName">The partial class to extend.</param>
/// <param name="UnrollMode">0 Auto, 1 Full, 2 None (the values of <c>CnnGen.Unroll</c>).</param>
/// <param name="UnrollNotes">Human-readable notes on what could not be unrolled, for the header.</param>
internal sealed record NetworkSpec(
    string Namespace,
    string ClassName,
    TensorShape Input,
    EquatableArray<LayerSpec> Layers,
    int ParameterCount,
    int StateCount,
    int UnrollMode,
    EquatableArray<string> UnrollNotes)
{
    public int OutputSize => Layers[Layers.Count - 1].Output.C;

    /// <summary>For an <c>[OnnxNetwork]</c>: the model file and its weights, compiled in; null for a declared network.</summary>
    public OnnxWeights? Onnx { get; init; }

    /// <summary>Floats the parameters, their gradients and the state may hold inside the network object (64 KiB).</summary>
    public const int InlineStorageLimit = 16 * 1024;

    /// <summary>
    /// The parameters, gradients and state live inside the network object as inline arrays, one allocation: only while
    /// all three fit in 64 KiB, because .NET 10's WebAssembly runtime lays out the fields of an object past 64 KiB
    /// wrongly (in the browser a LeNet-5's Gradients started 50,216 bytes after its Parameters instead of 246,824, so
    /// training wiped the weights; Sample.Web's ?selftest). Larger ones are arrays allocated once in the constructor.
    /// </summary>
    public bool InlineStorage => 2L * ParameterCount + StateCount <= InlineStorageLimit;
    public string HintName => (Namespace.Length == 0 ? "" : Namespace + ".") + ClassName + ".g.cs";
    /// <summary>The file with an <c>[OnnxNetwork]</c>'s weights, beside <see cref="HintName"/> (kept out of the readable code).</summary>
    public string WeightsHintName => (Namespace.Length == 0 ? "" : Namespace + ".") + ClassName + ".OnnxWeights.g.cs";
}

/// <summary>
/// The weights of an <c>[OnnxNetwork]</c>'s model in the network's own order: base64 of the little-endian floats of
/// the parameters and of the state (strings, so that comparing specs stays cheap).
/// </summary>
/// <param name="File">The model as the attribute names it.</param>
/// <param name="Producer">The model's producer and version (<c>pytorch 1.13.0</c>), or empty.</param>
internal sealed record OnnxWeights(string File, string Producer, string Parameters, string State);

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
    public string HintName => (Namespace.Length == 0 ? "" : Namespace + ".") + ClassName + ".g.cs";
}

using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Emitting;

/// <summary>Statements of <c>InitializeParameters</c> shared by the weighted kinds.</summary>
internal static class Initialization
{
    /// <summary>He normal or Glorot uniform into <paramref name="slice"/> of <c>p</c>, drawn from <c>rng</c>.</summary>
    public static void EmitWeights(SourceWriter w, InitKind init, ParameterSlice slice, int fanIn, int fanOut)
    {
        string target = $"p.Slice({I(slice.Offset)}, {I(slice.Length)})";
        if (init == InitKind.HeNormal)
            w.Line($"global::CnnGen.Initializers.HeNormal({target}, fanIn: {I(fanIn)}, ref rng); // {slice.Name} {slice.Shape}");
        else
            w.Line($"global::CnnGen.Initializers.GlorotUniform({target}, fanIn: {I(fanIn)}, fanOut: {I(fanOut)}, ref rng); // {slice.Name} {slice.Shape}");
    }

    /// <summary>Zeros <paramref name="slice"/> of <c>p</c> (biases).</summary>
    public static void EmitZero(SourceWriter w, ParameterSlice slice) =>
        w.Line($"p.Slice({I(slice.Offset)}, {I(slice.Length)}).Clear(); // {slice.Name}");
}

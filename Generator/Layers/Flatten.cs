using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Flatten]</c>: (C, H, W) to C*H*W features.</summary>
internal sealed class FlattenKind : LayerKind
{
    public static readonly FlattenKind Instance = new();
    private FlattenKind() : base("Flatten", "Flatten") { }
    public override InitRole Role => InitRole.Transparent;
    public override LayerDecl Read(AttributeArgs a) => new FlattenDecl();
}

internal sealed record FlattenDecl : LayerDecl
{
    public override LayerKind Kind => FlattenKind.Instance;

    public override LayerSpec? Infer(InferContext ctx)
    {
        if (ctx.Input.IsFlat) ctx.Problem(DiagnosticDescriptors.FlattenOnFlatInput, ctx.Name, ctx.Input.C);
        return new FlattenSpec { Output = TensorShape.Flat((int)ctx.Input.Size) };
    }
}

/// <summary>Flatten: the lanes layout of (C,H,W) is already the flat vector, so it emits no code.</summary>
internal sealed record FlattenSpec : LayerSpec
{
    public override string Describe() => "Flatten";
    public override string Fingerprint() => "Flatten";
    public override bool PassesInputOn(bool singleSample) => true;
    public override bool HasBackward => false;

    public override void EmitForward(SourceWriter w, PassContext ctx) =>
        w.Line($"// the lanes layout of {Shape(Input)} is already {Shape(Output)}: no copy.");

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward: none. {Shape(Input)} and {Shape(Output)} share one buffer.");
        w.Line($"// {Name}_Backward: none. The gradient buffers are shared too.");
    }

    public override void EmitPredict(SourceWriter w, PredictContext ctx) => w.Line("// (C, H, W) order is already flat: no copy.");
}

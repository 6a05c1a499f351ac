using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Softmax]</c>: the last layer, fused with the cross-entropy loss in training.</summary>
internal sealed class SoftmaxKind : LayerKind
{
    public static readonly SoftmaxKind Instance = new();
    private SoftmaxKind() : base("Softmax", "Softmax") { }
    public override LayerDecl Read(AttributeArgs a) => new SoftmaxDecl();
}

internal sealed record SoftmaxDecl : LayerDecl
{
    public override LayerKind Kind => SoftmaxKind.Instance;
    public override LayerSpec? Infer(InferContext ctx) => new SoftmaxSpec { Output = ctx.Input };
}

/// <summary>Softmax fused with cross-entropy: the numerics live in the Runtime's <c>Kernels</c>.</summary>
internal sealed record SoftmaxSpec : LayerSpec
{
    public override string Describe() => "Softmax + cross-entropy";
    public override string Fingerprint() => "Softmax + cross-entropy";
    public override bool PassesInputOn(bool singleSample) => true;
    public override bool HasBackward => false;

    public override void EmitForward(SourceWriter w, PassContext ctx) => w.Line("// fused with the loss in TrainStep, or applied in Infer.");

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward: p = softmax(logits {Shape(Input)}), computed by global::CnnGen.Kernels.Softmax in Infer.");
        w.Line($"// {Name}_Backward: dlogits = p - onehot(label), fused with the loss in global::CnnGen.Kernels.SoftmaxCrossEntropy.");
    }

    public override void EmitPredict(SourceWriter w, PredictContext ctx) =>
        w.Line($"global::CnnGen.Kernels.Softmax({Floats(ctx.X, "OutputSize")}, 1, 1, OutputSize, probabilities);");
}

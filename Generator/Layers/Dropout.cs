using System.Collections.Generic;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Dropout(rate)]</c>: inverted dropout in training, the identity in inference.</summary>
internal sealed class DropoutKind : LayerKind
{
    public static readonly DropoutKind Instance = new();
    private DropoutKind() : base("Dropout", "Dropout") { }
    public override InitRole Role => InitRole.Transparent;
    public override LayerDecl Read(AttributeArgs a) => new DropoutDecl(a.Double("rate", 0));
}

internal sealed record DropoutDecl(double Rate) : LayerDecl
{
    public override LayerKind Kind => DropoutKind.Instance;
    public override void Check(SettingsCheck check) => check.Range(Rate >= 0 && Rate < 1, "rate", "at least 0 and below 1", Rate);
    public override LayerSpec? Infer(InferContext ctx) => new DropoutSpec(Rate) { Output = ctx.Input };
}

/// <summary>Inverted dropout: the mask (0 or 1/(1-rate)) is drawn in the forward pass from the step's noise seed.</summary>
internal sealed record DropoutSpec(double Rate) : LayerSpec
{
    public override string Describe() => $"Dropout, rate={R(Rate)}";
    public override string Fingerprint() => $"Dropout, rate={R(Rate)}";
    public override bool WritesInputGradient => true;
    /// <summary>The identity in inference, so Predict passes its input on.</summary>
    public override bool PassesInputOn(bool singleSample) => singleSample;
    private string Mask => $"ws.{Prefix}_mask";

    public override IEnumerable<WorkspaceBuffer> ExtraBuffers(bool inputGradient)
    {
        yield return new($"{Prefix}_mask", Output.Size, $"{Name}'s mask (0 or 1/(1-rate)): {Shape(Output)}", false);
    }

    private KernelSignature ForwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Forward").In("x", ctx.X).In("mask", Mask).Out("y", ctx.Y).Groups();

    private KernelSignature BackwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Backward").In("mask", Mask).In("dy", ctx.DY!).Out("dx", ctx.DX!).Groups();

    public override void EmitForward(SourceWriter w, PassContext ctx)
    {
        w.Open("if (training)");
        w.Line($"global::CnnGen.Kernels.DropoutMask(global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice(Mask, "B * " + I(Output.Size))}), B, {I(Output.Size)}, TLane.Count, {F(Rate)}, noiseSeed, layer: {I(Index)});");
        w.Line(ForwardKernel(ctx).Call());
        w.Close();
        w.Line($"else {SliceOf(ctx.X, "B * " + I(Output.Size))}.CopyTo({ctx.Y}); // identity in inference");
    }

    protected override void EmitBackwardCall(SourceWriter w, PassContext ctx) => w.Line(BackwardKernel(ctx).Call());

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward (training): y = x * mask; mask is 0 with probability {R(Rate)}, else 1/(1-rate)");
        w.Line($"// x, mask {Shape(Input)}  ->  y {Shape(Output)}");
        w.Line(Hot);
        w.Open(ForwardKernel(ctx).Declaration);
        w.Line($"const int N = {I(Input.Size)};");
        w.Line("for (int i = 0; i < B * N; i++)");
        w.Line("    y[i] = x[i] * mask[i];");
        w.Close();
        w.Line();
        if (!ctx.InputGradient) return;
        w.Line($"// {Name}_Backward (writes dx: element-wise): dx = dy * mask");
        w.Line(Hot);
        w.Open(BackwardKernel(ctx).Declaration);
        w.Line($"const int N = {I(Input.Size)};");
        w.Line("for (int i = 0; i < B * N; i++)");
        w.Line("    dx[i] = dy[i] * mask[i];");
        w.Close();
        w.Line();
    }

    public override void EmitPredict(SourceWriter w, PredictContext ctx) => w.Line("// the identity in inference: no copy.");
}

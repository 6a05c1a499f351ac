using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[GlobalAvgPool]</c>: (C, H, W) to C features, the mean of each channel's plane.</summary>
internal sealed class GlobalAvgPoolKind : LayerKind
{
    public static readonly GlobalAvgPoolKind Instance = new();
    private GlobalAvgPoolKind() : base("GlobalAvgPool", "GlobalPool") { }
    public override InitRole Role => InitRole.Transparent;
    public override LayerDecl Read(AttributeArgs a) => new GlobalAvgPoolDecl();
}

internal sealed record GlobalAvgPoolDecl : LayerDecl
{
    public override LayerKind Kind => GlobalAvgPoolKind.Instance;

    public override LayerSpec? Infer(InferContext ctx) =>
        ctx.RequireSpatial(Kind) ? new GlobalAvgPoolSpec { Output = TensorShape.Flat(ctx.Input.C) } : null;
}

/// <summary>Global average pooling: one mean per channel; backward spreads each gradient evenly over the plane.</summary>
internal sealed record GlobalAvgPoolSpec : LayerSpec
{
    public override string Describe() => $"GlobalAvgPool {I(Input.H)}x{I(Input.W)} -> 1";
    public override string Fingerprint() => "GlobalAvgPool";
    /// <summary>Every input element gets exactly one share of one output's gradient.</summary>
    public override bool WritesInputGradient => true;

    private string Consts() => $"const int C = {I(Input.C)}, HW = {I(Input.H * Input.W)};";

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward: y[c] = mean over h, w of x[c, h, w]");
        w.Line($"// x {Shape(Input)}  ->  y {Shape(Output)}");
        w.Line(Hot);
        w.Open(DefaultForward(ctx).Declaration);
        w.Line(Consts());
        w.Line("TLane scale = TLane.Broadcast(1f / HW);");
        w.Line("for (int bc = 0; bc < B * C; bc++)");
        w.Open();
        w.Line("// seek to x[bc, :, :]");
        w.Line("var xc = x.Slice(bc * HW, HW);");
        w.Line("TLane sum = TLane.Zero;");
        w.Line("for (int hw = 0; hw < HW; hw++)");
        w.Line("    sum += xc[hw];");
        w.Line("y[bc] = sum * scale;");
        w.Close();
        w.Close();
        w.Line();
        if (!ctx.InputGradient) return;
        w.Line($"// {Name}_Backward (writes dx: each element has one contribution): dx[c, h, w] = dy[c] / (H*W)");
        w.Line($"// dy {Shape(Output)}  ->  dx {Shape(Input)}");
        w.Line(Hot);
        w.Open(DefaultBackward(ctx).Declaration);
        w.Line(Consts());
        w.Line("TLane scale = TLane.Broadcast(1f / HW);");
        w.Line("for (int bc = 0; bc < B * C; bc++)");
        w.Open();
        w.Line("TLane g = dy[bc] * scale;");
        w.Line("var dxc = dx.Slice(bc * HW, HW);");
        w.Line("for (int hw = 0; hw < HW; hw++)");
        w.Line("    dxc[hw] = g;");
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>One sample: the batch kernel at one sample per value.</summary>
    public override void EmitPredict(SourceWriter w, PredictContext ctx) =>
        w.Line(DefaultForwardOn(Lane1s(ctx.X, Input.Size), Lane1s(ctx.Y, Output.Size), "1").Call("global::CnnGen.Lane1"));
}

using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

internal enum ActivationFunction { ReLU, LeakyReLU, Tanh, Sigmoid }

/// <summary><c>[ReLU]</c>, <c>[LeakyReLU(slope)]</c>, <c>[Tanh]</c>, <c>[Sigmoid]</c>: element-wise activations.</summary>
internal sealed class ActivationKind : LayerKind
{
    public static readonly ActivationKind ReLU = new(ActivationFunction.ReLU, "ReLU", "Relu");
    public static readonly ActivationKind LeakyReLU = new(ActivationFunction.LeakyReLU, "LeakyReLU", "LeakyRelu");
    public static readonly ActivationKind Tanh = new(ActivationFunction.Tanh, "Tanh", "Tanh");
    public static readonly ActivationKind Sigmoid = new(ActivationFunction.Sigmoid, "Sigmoid", "Sigmoid");

    private ActivationKind(ActivationFunction function, string title, string stem) : base(title, stem) => Function = function;

    public ActivationFunction Function { get; }
    public override InitRole Role => Function is ActivationFunction.ReLU or ActivationFunction.LeakyReLU ? InitRole.ReluFamily : InitRole.Other;

    public override LayerDecl Read(AttributeArgs a) =>
        new ActivationDecl(this, Function == ActivationFunction.LeakyReLU ? a.Double("slope", 0.01) : 0);
}

internal sealed record ActivationDecl(ActivationKind ActivationKind, double Slope) : LayerDecl
{
    public override LayerKind Kind => ActivationKind;

    public override void Check(SettingsCheck check)
    {
        if (ActivationKind.Function == ActivationFunction.LeakyReLU)
            check.Range(Slope >= 0 && Slope < 1, "slope", "at least 0 and below 1", Slope);
    }

    public override LayerSpec? Infer(InferContext ctx) => new ActivationSpec(ActivationKind.Function, Slope) { Output = ctx.Input };
}

/// <summary>Element-wise activations: ReLU, LeakyReLU, Tanh, Sigmoid.</summary>
internal sealed record ActivationSpec(ActivationFunction Function, double Slope) : LayerSpec
{
    /// <summary>
    /// A ReLU right before a max pool, which applies it: max over the window of max(x, 0) is max(0, max over the window),
    /// and the gradient passes only where that maximum is above 0. In the batch passes this layer then has no pass and
    /// no buffer of its own; the single-sample Predict path still runs its <c>_Predict</c> kernel.
    /// </summary>
    public bool FusedIntoPool { get; init; }

    /// <summary>
    /// A ReLU right after a BatchNorm (and not before a max pool): the BatchNorm writes max(y, 0) and its backward masks
    /// dy where that output is 0. In the batch passes this layer then has no pass and no buffer of its own; the
    /// single-sample Predict path still runs its <c>_Predict</c> kernel.
    /// </summary>
    public bool FusedIntoBatchNorm { get; init; }

    /// <summary>
    /// A ReLU right after an Add (and not before a max pool): the Add writes max(sum, 0), so in the batch passes this
    /// layer has no forward pass and no output buffer; its backward stays (dx = y > 0 ? dy : 0, into the Add's gradient).
    /// </summary>
    public bool FusedIntoAdd { get; init; }

    /// <summary>Fused into the pool or the BatchNorm: no pass in either direction.</summary>
    private bool Fused => FusedIntoPool || FusedIntoBatchNorm;

    public override string Describe() => Function == ActivationFunction.LeakyReLU ? $"LeakyReLU, slope={R(Slope)}" : Function.ToString();
    public override string Fingerprint() => Function == ActivationFunction.LeakyReLU ? $"LeakyReLU, slope={R(Slope)}" : Function.ToString();
    public override bool WritesInputGradient => true;
    public override bool PassesInputOn(bool singleSample) => (Fused || FusedIntoAdd) && !singleSample;
    /// <summary>Fused into an Add, the backward still writes its own input gradient from its output's.</summary>
    public override bool PassesGradientOn => Fused;

    /// <summary>The layer that applies this one, when fused.</summary>
    private static string FusedBy(PassContext ctx, bool intoPool) => intoPool ? ctx.Next.Name : ctx.Network.Layers[ctx.Layer.Index - 1].Name;

    public override void EmitForward(SourceWriter w, PassContext ctx)
    {
        if (FusedIntoPool)
            w.Line($"// applied by {ctx.Next.Name}_Forward to each window's maximum: no pass, no buffer.");
        else if (FusedIntoBatchNorm || FusedIntoAdd)
            w.Line($"// applied by {FusedBy(ctx, false)} as it writes its output: no pass, no buffer.");
        else
            base.EmitForward(w, ctx);
    }

    public override void EmitBackward(SourceWriter w, PassContext ctx)
    {
        if (Fused)
            w.Line($"// {Name}: {Describe()}, its gradient mask applied by {FusedBy(ctx, FusedIntoPool)}_Backward");
        else
            base.EmitBackward(w, ctx);
    }

    private string Formula => Function switch
    {
        ActivationFunction.ReLU => "y = max(x, 0)",
        ActivationFunction.LeakyReLU => $"y = x > 0 ? x : {F(Slope)} * x",
        ActivationFunction.Tanh => "y = tanh(x) = 1 - 2 / (exp(2x) + 1)",
        _ => "y = 1 / (1 + exp(-x))",
    };

    /// <summary>The lane constants <see cref="Expression"/> uses, as one declaration (null if none).</summary>
    private string? Constants => Function switch
    {
        ActivationFunction.ReLU => null,
        ActivationFunction.LeakyReLU => $"TLane slope = TLane.Broadcast({F(Slope)});",
        ActivationFunction.Tanh => "TLane one = TLane.Broadcast(1f), two = TLane.Broadcast(2f);",
        _ => "TLane one = TLane.Broadcast(1f);",
    };

    /// <summary>The activation of lane value <paramref name="x"/>.</summary>
    private string Expression(string x) => Function switch
    {
        ActivationFunction.ReLU => $"TLane.Max({x}, TLane.Zero)",
        ActivationFunction.LeakyReLU => $"TLane.Select(TLane.GreaterThan({x}, TLane.Zero), {x}, {x} * slope)",
        ActivationFunction.Tanh => $"one - two / (TLane.Exp(two * {x}) + one)",
        _ => $"one / (one + TLane.Exp(TLane.Zero - {x}))",
    };

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        if (FusedIntoPool)
        {
            w.Line($"// {Name}: {Formula}, fused into the max pool that follows (max over a window of max(x, 0) = max(0, max over");
            w.Line("// the window)); its gradient mask is applied in that pool's backward. No batch methods of its own (Predict runs");
            w.Line($"// {Name}_Predict, in the single-sample section).");
            w.Line();
            return;
        }
        if (FusedIntoBatchNorm)
        {
            w.Line($"// {Name}: {Formula}, fused into the BatchNorm before it ({FusedBy(ctx, false)} writes max(y, 0)); its gradient mask is");
            w.Line($"// applied in that BatchNorm's backward. No batch methods of its own (Predict runs {Name}_Predict, in the");
            w.Line("// single-sample section).");
            w.Line();
            return;
        }
        if (FusedIntoAdd)
        {
            w.Line($"// {Name}: {Formula}, applied by the Add before it ({FusedBy(ctx, false)} writes max(sum, 0)), so x and y are that");
            w.Line($"// Add's output; no forward method of its own (Predict runs {Name}_Predict, in the single-sample section).");
        }
        else
        {
            w.Line($"// {Name}_Forward: {Formula}");
            w.Line($"// x {Shape(Input)}  ->  y {Shape(Output)}");
            w.Line(Hot);
            w.Open(DefaultForward(ctx).Declaration);
            w.Line($"const int N = {I(Input.Size)};");
            if (Constants is { } constants) w.Line(constants);
            w.Line("for (int i = 0; i < B * N; i++)");
            w.Line($"    y[i] = {Expression("x[i]")};");
            w.Close();
            w.Line();
        }
        if (ctx.InputGradient) EmitBackwardKernel(w, ctx);
    }

    private void EmitBackwardKernel(SourceWriter w, PassContext ctx)
    {
        string formula = Function switch
        {
            ActivationFunction.ReLU => "dx = y > 0 ? dy : 0",
            ActivationFunction.LeakyReLU => $"dx = x > 0 ? dy : {F(Slope)} * dy",
            ActivationFunction.Tanh => "dx = dy * (1 - y * y)",
            _ => "dx = dy * y * (1 - y)",
        };
        w.Line($"// {Name}_Backward (writes dx: element-wise, each element has one contribution): {formula}");
        w.Line($"// x, y, dy {Shape(Input)}  ->  dx {Shape(Input)}");
        w.Line(Hot);
        w.Open(DefaultBackward(ctx).Declaration);
        w.Line($"const int N = {I(Input.Size)};");
        switch (Function)
        {
            case ActivationFunction.ReLU:
                w.Line("for (int i = 0; i < B * N; i++)");
                w.Line("    dx[i] = TLane.And(TLane.GreaterThan(y[i], TLane.Zero), dy[i]);");
                break;
            case ActivationFunction.LeakyReLU:
                w.Line($"TLane slope = TLane.Broadcast({F(Slope)});");
                w.Line("for (int i = 0; i < B * N; i++)");
                w.Line("    dx[i] = TLane.Select(TLane.GreaterThan(x[i], TLane.Zero), dy[i], dy[i] * slope);");
                break;
            case ActivationFunction.Tanh:
                w.Line("TLane one = TLane.Broadcast(1f);");
                w.Line("for (int i = 0; i < B * N; i++)");
                w.Line("    dx[i] = dy[i] * (one - y[i] * y[i]);");
                break;
            default:
                w.Line("TLane one = TLane.Broadcast(1f);");
                w.Line("for (int i = 0; i < B * N; i++)");
                w.Line("    dx[i] = dy[i] * y[i] * (one - y[i]);");
                break;
        }
        w.Close();
        w.Line();
    }

    public override void EmitPredictKernel(SourceWriter w)
    {
        w.Line($"// {Name}_Predict: {Name}_Forward for one sample, TLane.Count values at a time (the last run may spill into the slack)");
        w.Line($"// x {Plain(Input)}  ->  y {Plain(Output)}, floats with slack");
        w.Line(Hot);
        w.Open(PredictKernel("", "").Declaration);
        w.Line($"const int N = {I(Input.Size)};");
        if (Constants is { } constants) w.Line(constants);
        w.Open("for (int i = 0; i < N; i += TLane.Count)");
        w.Line("TLane v = TLane.Load(x, i);");
        w.Line($"TLane.Store({Expression("v")}, y, i);");
        w.Close();
        w.Close();
        w.Line();
    }
}

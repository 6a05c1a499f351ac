using System;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[MaxPool(size, stride)]</c> and <c>[AvgPool(size, stride)]</c>: pooling over square windows.</summary>
internal sealed class PoolKind : LayerKind
{
    public static readonly PoolKind Max = new(true, "MaxPool", "Pool");
    public static readonly PoolKind Average = new(false, "AvgPool", "AvgPool");

    private PoolKind(bool isMax, string title, string stem) : base(title, stem) => IsMax = isMax;

    public bool IsMax { get; }
    public override InitRole Role => InitRole.Transparent;

    public override LayerDecl Read(AttributeArgs a)
    {
        int size = a.Int("size");
        return new PoolDecl(this, size, a.Has("stride") ? a.Int("stride") : size);
    }
}

internal sealed record PoolDecl(PoolKind PoolKind, int Size, int Stride) : LayerDecl
{
    public override LayerKind Kind => PoolKind;

    public override void Check(SettingsCheck check)
    {
        check.Positive("size", Size);
        check.Positive("stride", Stride);
    }

    public override LayerSpec? Infer(InferContext ctx)
    {
        if (!ctx.RequireSpatial(Kind)) return null;
        var x = ctx.Input;
        if (Size > x.H || Size > x.W)
        {
            ctx.Problem(DiagnosticDescriptors.PoolLargerThanInput, ctx.Name, Size, x.H, x.W,
                ShapeProblem.FixProperties(DiagnosticDescriptors.SizeProperty, Math.Min(x.H, x.W)));
            return null;
        }
        ctx.WarnUnused(Size, Stride, x.H, x.W);
        int oh = (x.H - Size) / Stride + 1, ow = (x.W - Size) / Stride + 1;
        bool unrolled = ctx.UnrollMode != 2 && Size * Size * 3 <= UnrollPlan.Budget;
        if (!unrolled && ctx.UnrollMode != 2)
        {
            ctx.Notes.Add($"{ctx.Name}: {Size}x{Size} pooling window kept as loops.");
            if (ctx.UnrollMode == 1)
                ctx.Problem(DiagnosticDescriptors.NotUnrolled, ctx.Name, $"{Size}x{Size} pooling window", Size * Size * 3, UnrollPlan.Budget);
        }
        return new PoolSpec(PoolKind.IsMax, Size, Stride, unrolled) { Output = TensorShape.Spatial(x.C, oh, ow) };
    }
}

/// <summary>
/// Max pooling (backward sends each gradient to the first maximum of its window, in row-major order) or average
/// pooling over a square window.
/// </summary>
internal sealed record PoolSpec(bool IsMax, int Size, int Stride, bool Unrolled) : LayerSpec
{
    /// <summary>The ReLU before this max pool is applied here (see <see cref="ActivationSpec.FusedIntoPool"/>).</summary>
    public bool ReluFused { get; init; }
    private string Title => IsMax ? "MaxPool" : "AvgPool";

    /// <summary>The windows tile the input: stride = size, and the size divides the height and width.</summary>
    public override bool WritesInputGradient => Stride == Size && Input.H % Size == 0 && Input.W % Size == 0;
    public override string Describe() => $"{Title} {I(Size)}x{I(Size)}, stride={I(Stride)}";
    public override string Fingerprint() => $"{Title} {I(Size)}x{I(Size)}, stride={I(Stride)}";
    public override int WindowStride => Stride;

    /// <summary>Opens the loops over channel planes and output positions, with <c>xo</c> at the window's first tap.</summary>
    private static void OpenWindows(SourceWriter w)
    {
        w.Line("for (int bc = 0; bc < B * C; bc++)");
        w.Line("for (int oh = 0; oh < OH; oh++)");
        w.Open("for (int ow = 0; ow < OW; ow++)");
        w.Line("// seek to x[bc, oh*S, ow*S]");
        w.Line("int xo = (bc * H + oh * S) * W + ow * S;");
    }

    /// <summary>One statement per tap of the window (<paramref name="statement"/> of the tap's index): written out, or as loops.</summary>
    private void EachTap(SourceWriter w, Func<string, string> statement)
    {
        if (Unrolled)
        {
            for (int kh = 0; kh < Size; kh++)
                for (int kw = 0; kw < Size; kw++)
                    w.Line(statement($"xo + ({I(kh)} * W + {I(kw)})"));
            return;
        }
        w.Line("for (int kh = 0; kh < K; kh++)");
        w.Line("for (int kw = 0; kw < K; kw++)");
        w.Line("    " + statement("xo + kh * W + kw"));
    }

    /// <summary>How backward stores into dx: <c>=</c> when the windows tile the input, else <c>+=</c> into a cleared buffer.</summary>
    private string Op => WritesInputGradient ? "=" : "+=";

    private string Consts(bool withK = true) =>
        $"const int C = {I(Input.C)}, H = {I(Input.H)}, W = {I(Input.W)}, {(withK ? $"K = {I(Size)}, " : "")}S = {I(Stride)}, OH = {I(Output.H)}, OW = {I(Output.W)};";

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        if (IsMax)
        {
            EmitMaxForward(w, ctx);
            if (ctx.InputGradient) EmitMaxBackward(w, ctx);
        }
        else
        {
            EmitAverageForward(w, ctx);
            if (ctx.InputGradient) EmitAverageBackward(w, ctx);
        }
    }

    private void EmitMaxForward(SourceWriter w, PassContext ctx)
    {
        int k = Size;
        w.Line(ReluFused
            ? $"// {Name}_Forward: y[c,oh,ow] = max(0, max over kh, kw of x[c, oh*S+kh, ow*S+kw]): the ReLU before it, fused"
            : $"// {Name}_Forward: y[c,oh,ow] = max over kh, kw of x[c, oh*S+kh, ow*S+kw]");
        w.Line($"// x {Shape(Input)}  ->  y {Shape(Output)}");
        w.Line(Hot);
        w.Open(DefaultForward(ctx).Declaration);
        w.Line(Consts(withK: !Unrolled));
        OpenWindows(w);
        if (Unrolled)
        {
            w.Line($"// {I(k)}x{I(k)} window, row by row");
            w.Line("TLane m = x[xo];");
            for (int kh = 0; kh < k; kh++)
                for (int kw = 0; kw < k; kw++)
                    if (kh + kw > 0) w.Line($"m = TLane.Max(m, x[xo + ({I(kh)} * W + {I(kw)})]);");
        }
        else
        {
            w.Line("TLane m = x[xo];");
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Line("for (int kw = 0; kw < K; kw++)");
            w.Line("    m = TLane.Max(m, x[xo + kh * W + kw]);");
        }
        if (ReluFused) w.Line("m = TLane.Max(m, TLane.Zero); // the fused ReLU");
        w.Line("y[(bc * OH + oh) * OW + ow] = m;");
        w.Close();
        w.Close();
        w.Line();
    }

    private void EmitMaxBackward(SourceWriter w, PassContext ctx)
    {
        int k = Size;
        w.Line(WritesInputGradient
            ? $"// {Name}_Backward (writes dx: the windows tile x): dx[first argmax of each window] = dy, 0 elsewhere; ties go to the first in row-major order"
            : $"// {Name}_Backward (accumulates): dx[first argmax of each window] += dy; ties go to the first in row-major order");
        w.Line($"// x {Shape(Input)}  y, dy {Shape(Output)}  ->  dx {Shape(Input)}");
        w.Line(Hot);
        w.Open(DefaultBackward(ctx).Declaration);
        w.Line(Consts(withK: !Unrolled));
        OpenWindows(w);
        w.Line("int yo = (bc * OH + oh) * OW + ow;");
        if (ReluFused)
        {
            w.Line("// the fused ReLU passes a gradient only where the window's maximum is above 0 (then it is the x that wins)");
            w.Line("TLane m = y[yo], g = TLane.And(TLane.GreaterThan(m, TLane.Zero), dy[yo]);");
        }
        else
            w.Line("TLane m = y[yo], g = dy[yo];");
        w.Line("// per lane: 'found' is set once the first maximum has taken the gradient");
        w.Line("TLane found = TLane.Zero, hit;");
        if (Unrolled)
        {
            for (int kh = 0; kh < k; kh++)
                for (int kw = 0; kw < k; kw++)
                {
                    string at = $"xo + ({I(kh)} * W + {I(kw)})";
                    w.Line($"hit = TLane.AndNot(TLane.Equal(x[{at}], m), found);");
                    w.Line($"dx[{at}] {Op} TLane.And(hit, g);");
                    if (kh != k - 1 || kw != k - 1) w.Line("found = TLane.Or(found, hit);");
                }
        }
        else
        {
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Open("for (int kw = 0; kw < K; kw++)");
            w.Line("int xi = xo + kh * W + kw;");
            w.Line("hit = TLane.AndNot(TLane.Equal(x[xi], m), found);");
            w.Line($"dx[xi] {Op} TLane.And(hit, g);");
            w.Line("found = TLane.Or(found, hit);");
            w.Close();
        }
        w.Close();
        w.Close();
        w.Line();
    }

    private void EmitAverageForward(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward: y[c,oh,ow] = mean over kh, kw of x[c, oh*S+kh, ow*S+kw]");
        w.Line($"// x {Shape(Input)}  ->  y {Shape(Output)}");
        w.Line(Hot);
        w.Open(DefaultForward(ctx).Declaration);
        w.Line(Consts());
        w.Line("TLane scale = TLane.Broadcast(1f / (K * K));");
        OpenWindows(w);
        w.Line("TLane sum = TLane.Zero;");
        EachTap(w, at => $"sum += x[{at}];");
        w.Line("y[(bc * OH + oh) * OW + ow] = sum * scale;");
        w.Close();
        w.Close();
        w.Line();
    }

    private void EmitAverageBackward(SourceWriter w, PassContext ctx)
    {
        w.Line(WritesInputGradient
            ? $"// {Name}_Backward (writes dx: the windows tile x): every x of the window gets dy / (K*K)"
            : $"// {Name}_Backward (accumulates): every x of the window gets dy / (K*K)");
        w.Line($"// dy {Shape(Output)}  ->  dx {Shape(Input)}");
        w.Line(Hot);
        w.Open(DefaultBackward(ctx).Declaration);
        w.Line(Consts());
        w.Line("TLane scale = TLane.Broadcast(1f / (K * K));");
        OpenWindows(w);
        w.Line("TLane g = dy[(bc * OH + oh) * OW + ow] * scale;");
        EachTap(w, at => $"dx[{at}] {Op} g;");
        w.Close();
        w.Close();
        w.Line();
    }

    public override void EmitPredictKernel(SourceWriter w)
    {
        w.Line($"// {Name}_Predict: {Name}_Forward for one sample, each value holding TLane.Count adjacent output columns");
        w.Line($"// x {Plain(Input)}  ->  y {Plain(Output)}, floats with slack");
        w.Line(Hot);
        w.Open(PredictKernel("", "").Declaration);
        w.Line(Consts());
        if (!IsMax) w.Line("TLane scale = TLane.Broadcast(1f / (K * K));");
        w.Line("for (int c = 0; c < C; c++)");
        w.Line("for (int oh = 0; oh < OH; oh++)");
        PredictRuns.Open(w);
        w.Line("// seek to the windows x[c, oh*S.., ow*S..] of TLane.Count columns");
        w.Line("var xk = x.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K - 1 + S * TLane.Count);");
        string Tap(string at) => $"TLane.LoadStrided(xk, {at}, S)";
        w.Line(IsMax ? $"TLane m = {Tap("0")};" : "TLane sum = TLane.Zero;");
        if (Unrolled)
        {
            for (int kh = 0; kh < Size; kh++)
                for (int kw = 0; kw < Size; kw++)
                    if (!IsMax || kh + kw > 0)
                        w.Line(IsMax ? $"m = TLane.Max(m, {Tap($"{I(kh)} * W + {I(kw)}")});" : $"sum += {Tap($"{I(kh)} * W + {I(kw)}")};");
        }
        else
        {
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Line("for (int kw = 0; kw < K; kw++)");
            w.Line(IsMax ? $"    m = TLane.Max(m, {Tap("kh * W + kw")});" : $"    sum += {Tap("kh * W + kw")};");
        }
        PredictRuns.Store(w, new[] { (IsMax ? "m" : "sum * scale", "(c * OH + oh) * OW + ow") });
        w.Close();
        w.Close();
        w.Line();
    }
}

using System.Collections.Generic;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[BatchNorm(Momentum =, Epsilon =)]</c>: batch normalization per channel or per feature.</summary>
internal sealed class BatchNormKind : LayerKind
{
    public static readonly BatchNormKind Instance = new();
    private BatchNormKind() : base("BatchNorm", "BatchNorm") { }
    public override InitRole Role => InitRole.Transparent;
    public override LayerDecl Read(AttributeArgs a) => new BatchNormDecl(a.Double("Momentum", 0.1), a.Double("Epsilon", 1e-5));
}

internal sealed record BatchNormDecl(double Momentum, double Epsilon) : LayerDecl
{
    public override LayerKind Kind => BatchNormKind.Instance;

    public override void Check(SettingsCheck check)
    {
        check.Range(Momentum > 0 && Momentum <= 1, "momentum", "above 0 and at most 1", Momentum);
        check.Range(Epsilon > 0 && Epsilon < 1, "epsilon", "above 0 and below 1", Epsilon);
    }

    public override LayerSpec? Infer(InferContext ctx) =>
        new BatchNormSpec(Momentum, Epsilon) { Output = ctx.Input, ParameterCount = 2 * ctx.Input.C, StateCount = 2 * ctx.Input.C };
}

/// <summary>
/// Batch normalization per channel (over samples and positions) or per feature (over samples). Statistics count
/// only valid lanes: padding lanes of the last group are masked out by <c>valid</c>.
/// </summary>
internal sealed record BatchNormSpec(double Momentum, double Epsilon) : LayerSpec, IBatchStatistics
{
    public override string Describe() =>
        $"BatchNorm per {(Input.IsFlat ? "feature" : "channel")} ({I(Input.C)}), momentum={R(Momentum)}, eps={R(Epsilon)}";
    public override string Fingerprint() =>
        $"BatchNorm per {(Input.IsFlat ? "feature" : "channel")} ({I(Input.C)}), momentum={R(Momentum)}, eps={R(Epsilon)}";
    /// <summary>Values normalized together per channel, per sample: H x W (1 for flat inputs).</summary>
    public int Spatial => Input.H * Input.W;
    private string Per => Input.IsFlat ? "feature" : "channel";
    /// <summary>Backward computes each input element's gradient from its own dy and the channel's sums, and writes it.</summary>
    public override bool WritesInputGradient => true;
    /// <summary>
    /// The ReLU after this layer is applied here (<see cref="Planning.Fusion"/>): forward writes max(y, 0), backward takes
    /// dy only where that output is above 0.
    /// </summary>
    public bool ReluFused { get; init; }
    /// <summary>
    /// The convolution before this layer applies it in inference (<see cref="Planning.Fusion"/>): this layer has a pass
    /// in training only, and inference computes its scale and shift per channel for that convolution (<c>_Fold</c>).
    /// </summary>
    public bool FoldedIntoConv { get; init; }
    public string ScaleBuffer => $"ws.{Prefix}_scale";
    public string ShiftBuffer => $"ws.{Prefix}_shift";
    private KernelSignature FoldKernel() =>
        new KernelSignature(Name + "_Fold").Floats("gamma", $"p.Slice({I(ParameterOffset)}, {I(Input.C)})")
            .Floats("beta", $"p.Slice({I(ParameterOffset + Input.C)}, {I(Input.C)})")
            .Floats("runningMean", RunningMean).Floats("runningVar", RunningVar)
            .FloatsOut("scale", ScaleBuffer).FloatsOut("shift", ShiftBuffer);
    /// <summary>The call that fills <see cref="ScaleBuffer"/> and <see cref="ShiftBuffer"/> from the running statistics.</summary>
    public string FoldCall() => FoldKernel().PlainCall;

    /// <summary>dy as the layer sees it: with a fused ReLU, 0 where the output is 0.</summary>
    private string Dy => ReluFused ? "TLane.And(TLane.GreaterThan(y[i], TLane.Zero), dy[i])" : "dy[i]";

    // ---- storage -------------------------------------------------------------------------------------------------

    public override IEnumerable<ParameterSlice> ParameterSlices()
    {
        yield return new(Prefix + "_gamma", ParameterOffset, Input.C, $"({I(Input.C)})");
        yield return new(Prefix + "_beta", ParameterOffset + Input.C, Input.C, $"({I(Input.C)})");
    }

    public override IEnumerable<string> StateLines()
    {
        yield return $"{I(StateOffset),8}: {Prefix}_running_mean ({I(Input.C)})";
        yield return $"{I(StateOffset + Input.C),8}: {Prefix}_running_var ({I(Input.C)})";
    }

    public override void EmitInit(SourceWriter w)
    {
        w.Line($"p.Slice({I(ParameterOffset)}, {I(Input.C)}).Fill(1f); // {Prefix}_gamma");
        w.Line($"p.Slice({I(ParameterOffset + Input.C)}, {I(Input.C)}).Clear(); // {Prefix}_beta");
        w.Line($"State.Slice({I(StateOffset)}, {I(Input.C)}).Clear(); // {Prefix}_running_mean");
        w.Line($"State.Slice({I(StateOffset + Input.C)}, {I(Input.C)}).Fill(1f); // {Prefix}_running_var");
    }

    public override void EmitWorkspaceFields(SourceWriter w)
    {
        w.Line($"/// <summary>{Name}'s batch mean and inverse standard deviation per {Per} ({I(Input.C)}), kept for backward.</summary>");
        w.Line($"public readonly float[] {Prefix}_mean = new float[{I(Input.C)}], {Prefix}_var = new float[{I(Input.C)}], {Prefix}_invstd = new float[{I(Input.C)}];");
        if (FoldedIntoConv)
        {
            w.Line($"/// <summary>{Name}'s running statistics as a scale and shift per channel ({I(Input.C)}), which the convolution before it applies in inference.</summary>");
            w.Line($"public readonly float[] {Prefix}_scale = new float[{I(Input.C)}], {Prefix}_shift = new float[{I(Input.C)}];");
        }
    }

    // ---- running statistics --------------------------------------------------------------------------------------

    public string StatisticsArguments => $"ws.{Prefix}_mean, ws.{Prefix}_var";
    public string StatisticsParameters => $"float[] {Prefix}_mean, float[] {Prefix}_var";

    public void EmitRunningUpdate(SourceWriter w)
    {
        w.Line($"// {Name}: {I(Input.C)} {(Input.IsFlat ? "features" : "channels")}, {I(Spatial)} values per sample each");
        w.Line($"float {Prefix}_m = {F(Momentum)};");
        w.Line($"long {Prefix}_n = (long)count * {I(Spatial)};");
        w.Line($"float {Prefix}_unbias = {Prefix}_n > 1 ? (float){Prefix}_n / ({Prefix}_n - 1) : 1f;");
        w.Open($"for (int c = 0; c < {I(Input.C)}; c++)");
        w.Line($"s[{I(StateOffset)} + c] = (1f - {Prefix}_m) * s[{I(StateOffset)} + c] + {Prefix}_m * {Prefix}_mean[c];");
        w.Line($"s[{I(StateOffset + Input.C)} + c] = (1f - {Prefix}_m) * s[{I(StateOffset + Input.C)} + c] + {Prefix}_m * {Prefix}_var[c] * {Prefix}_unbias;");
        w.Close();
    }

    // ---- the passes ----------------------------------------------------------------------------------------------

    private KernelSignature ForwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Forward").In("x", ctx.X).Floats("gamma", Prefix + "_gamma").Floats("beta", Prefix + "_beta")
            .In("valid", "ws.valid").Int("count", "count")
            .FloatsOut("mean", $"ws.{Prefix}_mean").FloatsOut("variance", $"ws.{Prefix}_var").FloatsOut("invstd", $"ws.{Prefix}_invstd")
            .Out("y", ctx.Y).Groups();

    private KernelSignature InferKernel(string x, string runningMean, string runningVar, string y, string groups) =>
        new KernelSignature(Name + "_Infer").In("x", x).Floats("gamma", Prefix + "_gamma").Floats("beta", Prefix + "_beta")
            .Floats("runningMean", runningMean).Floats("runningVar", runningVar).Out("y", y).Groups(groups);

    private string RunningMean => $"s.Slice({I(StateOffset)}, {I(Input.C)})";
    private string RunningVar => $"s.Slice({I(StateOffset + Input.C)}, {I(Input.C)})";

    private KernelSignature BackwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Backward").In("x", ctx.X).Floats("gamma", Prefix + "_gamma")
            .In("valid", "ws.valid").Int("count", "ws.LastCount")
            .Floats("mean", $"ws.{Prefix}_mean").Floats("invstd", $"ws.{Prefix}_invstd")
            .If(ReluFused, k => k.In("y", ctx.Y))
            .In("dy", ctx.DY!)
            .If(ctx.InputGradient, k => k.Out("dx", ctx.DX!))
            .FloatsOut("dgamma", Prefix + "_dgamma").FloatsOut("dbeta", Prefix + "_dbeta")
            .Groups();

    public override void EmitForward(SourceWriter w, PassContext ctx)
    {
        w.Line("if (training) " + ForwardKernel(ctx).Call());
        if (FoldedIntoConv)
            w.Line("// (in inference the convolution before this layer applied it)");
        else
            w.Line("else " + InferKernel(ctx.X, RunningMean, RunningVar, ctx.Y, "B").Call());
    }

    protected override void EmitBackwardCall(SourceWriter w, PassContext ctx)
    {
        w.Line($"var {Prefix}_gamma = p.Slice({I(ParameterOffset)}, {I(Input.C)});");
        w.Line($"var {Prefix}_dgamma = g.Slice({I(ParameterOffset)}, {I(Input.C)});");
        w.Line($"var {Prefix}_dbeta = g.Slice({I(ParameterOffset + Input.C)}, {I(Input.C)});");
        w.Line(BackwardKernel(ctx).Call());
    }

    // ---- kernels -------------------------------------------------------------------------------------------------

    private string Consts() => $"const int C = {I(Input.C)}, HW = {I(Spatial)};";

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward (training): y = {(ReluFused ? "max(0, " : "")}gamma * (x - mean) / sqrt(var + eps) + beta{(ReluFused ? $") (the {ctx.Next.Name} after it, fused)" : "")}; batch statistics per {Per}");
        w.Line($"// x {Shape(Input)}  gamma, beta ({I(Input.C)})  ->  y {Shape(Output)}, mean, var, invstd ({I(Input.C)})");
        w.Line(Hot);
        w.Open(ForwardKernel(ctx).Declaration);
        w.Line(Consts());
        w.Line($"const float Eps = {F(Epsilon)};");
        w.Line("double n = (double)count * HW;");
        w.Open("for (int c = 0; c < C; c++)");
        w.Line("// mean over valid samples and positions: summed in lanes within a lane group, across groups in double");
        w.Line("// (one float accumulator over all of a channel's values would drift by 1e-4 relative)");
        w.Line("double sum = 0;");
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("TLane acc = TLane.Zero;");
        w.Line("for (int hw = 0; hw < HW; hw++)");
        w.Line("    acc = TLane.FusedMultiplyAdd(x[(bg * C + c) * HW + hw], valid[bg], acc);");
        w.Line("sum += TLane.Sum(acc);");
        w.Close();
        w.Line("float mu = (float)(sum / n);");
        w.Line("// biased variance, summed the same way");
        w.Line("TLane m = TLane.Broadcast(mu);");
        w.Line("sum = 0;");
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("TLane acc = TLane.Zero;");
        w.Open("for (int hw = 0; hw < HW; hw++)");
        w.Line("TLane d = x[(bg * C + c) * HW + hw] - m;");
        w.Line("acc = TLane.FusedMultiplyAdd(d * d, valid[bg], acc);");
        w.Close();
        w.Line("sum += TLane.Sum(acc);");
        w.Close();
        w.Line("float var = (float)(sum / n);");
        w.Line("float inv = 1f / global::System.MathF.Sqrt(var + Eps);");
        w.Line("mean[c] = mu; variance[c] = var; invstd[c] = inv;");
        w.Line(ReluFused ? "// y = max(x * scale + shift, 0)" : "// y = x * scale + shift");
        w.Line("TLane scale = TLane.Broadcast(gamma[c] * inv), shift = TLane.Broadcast(beta[c] - mu * gamma[c] * inv);");
        w.Line("for (int bg = 0; bg < B; bg++)");
        w.Line("    for (int hw = 0; hw < HW; hw++)");
        w.Line($"        y[(bg * C + c) * HW + hw] = {ReluOf(ReluFused, "TLane.FusedMultiplyAdd(x[(bg * C + c) * HW + hw], scale, shift)")};");
        w.Close();
        w.Close();
        w.Line();

        if (FoldedIntoConv)
        {
            w.Line($"// {Name}_Fold: the running statistics as a scale and shift per channel, for the convolution before {Name} to apply in inference");
            w.Line($"//   scale = gamma / sqrt(running_var + eps), shift = beta - running_mean * scale");
            w.Open(FoldKernel().PlainDeclaration);
            w.Line($"const int C = {I(Input.C)};");
            w.Line($"const float Eps = {F(Epsilon)};");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line(RunningInverse);
            w.Line($"scale[c] = {RunningScale};");
            w.Line($"shift[c] = {RunningShift};");
            w.Close();
            w.Close();
        }
        else
        {
            w.Line($"// {Name}_Infer: the same with the running statistics{(ReluFused ? ", and the fused ReLU" : "")}");
            w.Line(Hot);
            w.Open(InferKernel("", "", "", "", "").Declaration);
            w.Line(Consts());
            w.Line($"const float Eps = {F(Epsilon)};");
            w.Open("for (int c = 0; c < C; c++)");
            EmitRunningScaleShift(w);
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("    for (int hw = 0; hw < HW; hw++)");
            w.Line($"        y[(bg * C + c) * HW + hw] = {ReluOf(ReluFused, "TLane.FusedMultiplyAdd(x[(bg * C + c) * HW + hw], scale, shift)")};");
            w.Close();
            w.Close();
        }
        w.Line();

        bool dx = ctx.InputGradient;
        w.Line($"// {Name}_Backward (accumulates the parameter gradients{(dx ? ", writes dx" : "")}), with xhat = (x - mean) * invstd and n valid values per {Per}:");
        w.Line("//   dgamma += sum dy * xhat;  dbeta += sum dy");
        if (ReluFused) w.Line($"//   where dy is taken as 0 wherever y = 0 (the gradient mask of the fused {ctx.Next.Name})");
        if (dx) w.Line("//   dx = gamma * invstd * (dy - sum(dy) / n - xhat * sum(dy * xhat) / n), 0 in padding lanes");
        w.Line(Hot);
        w.Open(BackwardKernel(ctx).Declaration);
        w.Line(Consts());
        w.Line("double n = (double)count * HW;");
        w.Open("for (int c = 0; c < C; c++)");
        w.Line("TLane m = TLane.Broadcast(mean[c]), inv = TLane.Broadcast(invstd[c]);");
        w.Line("// sums in lanes within a lane group, across groups in double (as the forward statistics)");
        w.Line("double sDy = 0, sDyXhat = 0;");
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("TLane sumDy = TLane.Zero, sumDyXhat = TLane.Zero;");
        w.Open("for (int hw = 0; hw < HW; hw++)");
        w.Line("int i = (bg * C + c) * HW + hw;");
        w.Line($"TLane g = {Dy} * valid[bg];");
        w.Line("sumDy += g;");
        w.Line("sumDyXhat = TLane.FusedMultiplyAdd(g, (x[i] - m) * inv, sumDyXhat);");
        w.Close();
        w.Line("sDy += TLane.Sum(sumDy);");
        w.Line("sDyXhat += TLane.Sum(sumDyXhat);");
        w.Close();
        w.Line("dgamma[c] += (float)sDyXhat;");
        w.Line("dbeta[c] += (float)sDy;");
        if (dx)
        {
            w.Line("TLane k = TLane.Broadcast(gamma[c] * invstd[c]), a = TLane.Broadcast((float)(sDy / n)), q = TLane.Broadcast((float)(sDyXhat / n));");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Open("    for (int hw = 0; hw < HW; hw++)");
            w.Line("int i = (bg * C + c) * HW + hw;");
            w.Line("TLane xhat = (x[i] - m) * inv;");
            w.Line($"dx[i] = valid[bg] * k * ({Dy} - a - xhat * q);");
            w.Close();
        }
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Channel c's scale and shift from the running statistics, one set of expressions for the Infer, Predict and Fold
    /// kernels, so that a convolution applying the BatchNorm in inference gets its Infer kernel's results bit for bit.
    /// </summary>
    private const string RunningInverse = "float inv = 1f / global::System.MathF.Sqrt(runningVar[c] + Eps);",
        RunningScale = "gamma[c] * inv", RunningShift = "beta[c] - runningMean[c] * gamma[c] * inv";

    private static void EmitRunningScaleShift(SourceWriter w)
    {
        w.Line(RunningInverse);
        w.Line($"TLane scale = TLane.Broadcast({RunningScale}), shift = TLane.Broadcast({RunningShift});");
    }

    // ---- single-sample Predict -----------------------------------------------------------------------------------

    /// <summary>After a convolution: a kernel over each channel's positions in vectors. After a dense layer (one value
    /// per feature) the batch kernel at one sample per value.</summary>
    public override void EmitPredict(SourceWriter w, PredictContext ctx)
    {
        // (with a fused ReLU the Infer kernel applies it too, and the ReLU's own Predict kernel after it changes nothing)
        if (Input.IsFlat)
            w.Line(InferKernel(Lane1s(ctx.X, Input.Size), RunningMean, RunningVar, Lane1s(ctx.Y, Output.Size), "1").Call("global::CnnGen.Lane1"));
        else
            w.Line(PredictKernel(ctx.X, ctx.Y).Call());
    }

    protected override KernelSignature PredictKernel(string x, string y) =>
        new KernelSignature(Name + "_Predict").Floats("x", x).Floats("gamma", Prefix + "_gamma").Floats("beta", Prefix + "_beta")
            .Floats("runningMean", RunningMean).Floats("runningVar", RunningVar).FloatsOut("y", y);

    public override void EmitPredictKernel(SourceWriter w)
    {
        if (Input.IsFlat) return;
        w.Line($"// {Name}_Predict: {Name}_Infer for one sample, TLane.Count positions of a channel at a time (the same products)");
        w.Line($"// x {Plain(Input)}  ->  y {Plain(Output)}");
        w.Line(Hot);
        w.Open(PredictKernel("", "").Declaration);
        w.Line(Consts());
        w.Line($"const float Eps = {F(Epsilon)};");
        w.Open("for (int c = 0; c < C; c++)");
        EmitRunningScaleShift(w);
        w.Line("int i = c * HW, end = i + HW;");
        w.Line("for (; i + TLane.Count <= end; i += TLane.Count)");
        w.Line("    TLane.Store(TLane.FusedMultiplyAdd(TLane.Load(x, i), scale, shift), y, i);");
        w.Line("// the channel's last positions: the vector reads on into the next channel (or the slack), stores only its own");
        w.Line("if (i < end) TLane.StoreFirst(TLane.FusedMultiplyAdd(TLane.Load(x, i), scale, shift), y, i, end - i);");
        w.Close();
        w.Close();
        w.Line();
    }
}

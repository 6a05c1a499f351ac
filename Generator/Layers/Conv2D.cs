using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Conv2D(filters, kernel, Stride =, Padding =, Bias =)]</c>: 2-D convolution.</summary>
internal sealed class Conv2DKind : LayerKind
{
    public static readonly Conv2DKind Instance = new();
    private Conv2DKind() : base("Conv2D", "Conv") { }

    public override LayerDecl Read(AttributeArgs a) =>
        new Conv2DDecl(a.Int("filters"), a.Int("kernel"), a.Int("Stride", 1), a.Int("Padding"), a.Bool("Bias", true), a.Int("Groups", 1));
}

internal sealed record Conv2DDecl(int Filters, int Kernel, int Stride, int Padding, bool Bias, int Groups) : LayerDecl
{
    public override LayerKind Kind => Conv2DKind.Instance;

    public override void Check(SettingsCheck check)
    {
        check.Positive("filters", Filters);
        check.Positive("kernel", Kernel);
        check.Positive("stride", Stride);
        check.Range(Padding >= 0, "padding", "zero or more", Padding);
        check.Positive("groups", Groups);
    }

    /// <summary>
    /// The smallest padding with which a <paramref name="kernel"/> fits an <paramref name="h"/> x <paramref name="w"/>
    /// input; of the next few (below the kernel size), the first whose stride also covers every row and column.
    /// </summary>
    private static int FittingPadding(int kernel, int stride, int h, int w)
    {
        long shortest = System.Math.Min(h, w);
        int fits = (int)System.Math.Max(0, (kernel - shortest + 1) / 2);
        for (int q = fits; q < fits + System.Math.Max(stride, 1) && q < kernel; q++)
            if ((h + 2L * q - kernel) % stride == 0 && (w + 2L * q - kernel) % stride == 0)
                return q;
        return fits;
    }

    public override LayerSpec? Infer(InferContext ctx)
    {
        if (!ctx.RequireSpatial(Kind)) return null;
        var x = ctx.Input;
        if (x.C % Groups != 0 || Filters % Groups != 0)
        {
            ctx.Problem(DiagnosticDescriptors.GroupsDoNotDivide, ctx.Name, Groups, x.C, Filters);
            return null;
        }
        // In 64 bits: a large padding must not wrap around.
        long h = x.H + 2L * Padding, w = x.W + 2L * Padding;
        if (Kernel > h || Kernel > w)
        {
            ctx.Problem(DiagnosticDescriptors.KernelLargerThanInput, ctx.Name, Kernel, x.H, x.W, Padding,
                ShapeProblem.FixProperties(DiagnosticDescriptors.PaddingProperty, FittingPadding(Kernel, Stride, x.H, x.W)));
            return null;
        }
        if (Padding > 0 && ctx.TooLarge("the padded input", InferContext.Volume(x.C, h, w))) return null;
        long oh = (h - Kernel) / Stride + 1, ow = (w - Kernel) / Stride + 1;
        if (ctx.TooLarge("the output", InferContext.Volume(Filters, oh, ow))) return null;
        ctx.WarnUnused(Kernel, Stride, h, w, Padding);
        int kk = Kernel * Kernel;
        long weights = (long)Filters * (x.C / Groups) * kk;
        if (ctx.TooLarge("the weight count", weights)) return null;

        int mode = ctx.UnrollMode;
        // blocks of output channels never straddle two groups: they are planned over one group's filters
        int filters = Filters / Groups;
        var forward = UnrollPlan.WithPositionBlock(UnrollPlan.Choose(kk, filters, 1, mode), kk, filters, (int)ow);
        var narrowForward = UnrollPlan.NarrowForward(forward, kk, filters, (int)ow);
        forward = UnrollPlan.WithSharedWeights(forward, kk, filters, (int)ow);
        var backward = UnrollPlan.Choose(kk, filters, 2, mode);
        // the input gradient of a stride-1 convolution as a forward correlation of the zero-padded output gradient with
        // the flipped weights (each dx value summed in registers, like the forward kernel), where its window unrolls and
        // the output has the input's size: with a smaller output (less padding) the gather would multiply more zeros of
        // dy's border than the scatter has multiply-adds in all (LeNet-5's second convolution: 1.96x)
        var gather = Stride == 1 && Groups == 1 && oh == x.H && ow == x.W && mode != 2
            ? UnrollPlan.WithPositionBlock(UnrollPlan.Choose(kk, x.C, 1, mode), kk, x.C, x.W)
            : default;
        if (mode != 2 && (!forward.Taps || !backward.Taps))
        {
            // The backward method holds more per tap, so it can fail alone: name the pass that failed and the
            // fewest statements it would need (one output channel at a time).
            string window = $"{I(Kernel)}x{I(Kernel)} kernel window" + (forward.Taps ? " of the backward pass" : "");
            long cost = forward.Taps ? UnrollPlan.MinimalCost(kk, 2) : UnrollPlan.MinimalCost(kk, 1);
            ctx.Notes.Add($"{ctx.Name}: {window} kept as loops ({I(cost)} statements exceed the budget of {I(UnrollPlan.Budget)}).");
            if (mode == 1)
                ctx.Problem(DiagnosticDescriptors.NotUnrolled, ctx.Name, window, cost, UnrollPlan.Budget);
        }
        return new Conv2DSpec(Filters, Kernel, Stride, Padding, Bias, ctx.Init(), forward, backward)
        {
            // Predict: each value holds adjacent columns of one sample, so every tap is one vector load shared
            // by the block; past 8 channels the loads of broadcast weights, not FMAs, would limit it.
            Predict = UnrollPlan.Choose(kk, filters, 1, mode, maxBlock: UnrollPlan.PredictChannelBlock),
            // the weight gradient keeps one accumulator per tap: up to 32 of them
            UnrollWeightGradient = backward.Taps && kk <= 32,
            // two output channels share each loaded input of the weight gradient when their 2 x taps accumulators
            // fit (18 for a 3x3 window); within one group only, so ungrouped and an even filter count
            WeightGradientBlock = backward.Taps && kk * 2 <= 18 && Groups == 1 && Filters % 2 == 0 ? 2 : 1,
            // second forms of the forward and input-gradient kernels for 16 vector registers, where the blocks above
            // do not fit them
            NarrowForward = narrowForward,
            GatherDx = gather.Taps ? UnrollPlan.WithSharedWeights(gather, kk, x.C, x.W) : null,
            GatherDxNarrow = gather.Taps ? UnrollPlan.NarrowForward(gather, kk, x.C, x.W) : null,
            NarrowDxBlock = backward.Taps && !UnrollPlan.FitsNarrow(backward.ChannelBlock, UnrollPlan.TapGroup(kk, backward.ChannelBlock))
                ? System.Math.Min(filters, UnrollPlan.NarrowDxChannelBlock) : 0,
            Groups = Groups,
            Output = TensorShape.Spatial(Filters, (int)oh, (int)ow),
            ParameterCount = (int)weights + (Bias ? Filters : 0),
        };
    }
}

/// <summary>2-D convolution: the kernel window unrolled times a block of output channels.</summary>
internal sealed record Conv2DSpec(int Filters, int Kernel, int Stride, int Padding, bool Bias, InitKind Init,
                                  Unrolling Forward, Unrolling Backward) : LayerSpec
{
    /// <summary>Unrolling of the single-sample kernel (<c>_Predict</c>), whose values hold adjacent output columns.</summary>
    public Unrolling Predict { get; init; }
    /// <summary>The weight gradient written out tap by tap (one accumulator each).</summary>
    public bool UnrollWeightGradient { get; init; }
    /// <summary>Output channels whose weight gradients are accumulated together, each input tap loaded once for all (1 or 2).</summary>
    public int WeightGradientBlock { get; init; } = 1;
    /// <summary>The forward kernel's 16-register form (<c>_ForwardNarrow</c>), or null where <see cref="Forward"/> fits 16 registers.</summary>
    public Unrolling? NarrowForward { get; init; }
    /// <summary>
    /// The input-gradient kernel as a gather (stride 1, one group, output the size of the input): dx is the forward
    /// correlation of dy inside a zero border of K - 1 - padding with the flipped weights, in these blocks; null: the
    /// scatter kernel.
    /// </summary>
    public Unrolling? GatherDx { get; init; }
    /// <summary>The gather's 16-register form, or null where <see cref="GatherDx"/> fits 16 registers.</summary>
    public Unrolling? GatherDxNarrow { get; init; }
    /// <summary>The zero border around dy that the gather reads (K - 1 - padding).</summary>
    private int DyBorder => Kernel - 1 - Padding;
    /// <summary>Output channels per block of the input-gradient kernel's 16-register form (<c>_BackwardInputNarrow</c>), or 0 where the block above fits 16 registers.</summary>
    public int NarrowDxBlock { get; init; }
    /// <summary>Channel groups: filter oc sees only the input channels of its group (depthwise when each group is one channel).</summary>
    public int Groups { get; init; } = 1;

    public override string Describe() =>
        $"Conv2D {I(Input.C)}->{I(Filters)}, k={I(Kernel)}, stride={I(Stride)}, pad={I(Padding)}{(Bias ? "" : ", no bias")}{GroupsText}";
    public override string Fingerprint() =>
        $"Conv2D {I(Input.C)}->{I(Filters)}, k={I(Kernel)}, stride={I(Stride)}, pad={I(Padding)}{(Bias ? "" : ", no bias")}{GroupsText}";
    public TensorShape Padded => TensorShape.Spatial(Input.C, Input.H + 2 * Padding, Input.W + 2 * Padding);
    public override int WindowStride => Stride;
    /// <summary>
    /// The first layer of a residual block (after its <see cref="ResidualSpec"/>): the Unpad also adds the skip path's
    /// gradient, dx = middle of dxpad + dskip, which is the block input's whole gradient.
    /// </summary>
    public bool AddsSkipGradient { get; init; }
    /// <summary>
    /// A BatchNorm follows (<see cref="Planning.Fusion"/>): in inference the forward kernel applies it as it writes,
    /// from the running statistics as a scale and shift per channel (and its fused ReLU), into the BatchNorm's output.
    /// </summary>
    public bool FoldsBatchNorm { get; init; }
    /// <summary>
    /// With <see cref="FoldsBatchNorm"/>, when the BatchNorm (and its fused ReLU) feeds a padded convolution: in inference
    /// the forward kernel writes into the middle of that convolution's padded input, whose border this is, so that
    /// neither the BatchNorm's output nor the next Pad copy is needed there (0: the output has its own layout).
    /// </summary>
    public int PaddedOutput { get; init; }
    /// <summary>The convolution before fills this layer's padded input in inference (<see cref="PaddedOutput"/>): Pad runs in training only.</summary>
    public bool InputPaddedInInference { get; init; }
    /// <summary>The padded convolution that <see cref="PaddedOutput"/> writes into.</summary>
    private Conv2DSpec PaddedConsumer(PassContext ctx) =>
        ctx.Network.Layers.Skip(Index + 1).OfType<Conv2DSpec>().First();
    /// <summary>The output's height, width and first position in the forward kernel: OH, OW, 0, or the padded layout's YH, YW, Y0.</summary>
    private string YH => PaddedOutput > 0 ? "YH" : "OH";
    private string YW => PaddedOutput > 0 ? "YW" : "OW";
    private string Y0 => PaddedOutput > 0 ? "Y0 + " : "";

    /// <summary>The skip path's gradient that the Unpad adds, when <see cref="AddsSkipGradient"/>.</summary>
    private string SkipGradient(PassContext ctx)
    {
        var layers = ctx.Network.Layers.ToList();
        return ((ResidualSpec)layers[Index - 1]).Join(layers)!.SkipGradient;
    }

    /// <summary>
    /// The gather writes every input gradient once; so does the Unpad kernel, after the scatter kernel accumulated the
    /// gradient in the padded buffer.
    /// </summary>
    public override bool WritesInputGradient => Padding > 0 || GatherDx is not null;
    private int WeightCount => Filters * GroupChannels * Kernel * Kernel;
    private bool Grouped => Groups > 1;
    private string GroupsText => Grouped ? (GroupChannels == 1 ? $", groups={I(Groups)} (depthwise)" : $", groups={I(Groups)}") : "";
    /// <summary>Input channels per group (CG) and filters per group (OCG).</summary>
    private int GroupChannels => Input.C / Groups;
    private int GroupFilters => Filters / Groups;
    /// <summary>The bound of the loops over input channels.</summary>
    private string ChannelCount => Grouped ? "CG" : "C";
    /// <summary>Input channel <c>c</c> of the group <c>gi</c> (block loops) or of filter <c>oc</c>'s group (loops over one filter).</summary>
    private string BlockChannel => Grouped ? "(gi * CG + c)" : "c";
    private string FilterChannel => Grouped ? "(oc / OCG * CG + c)" : "c";
    private string WeightsPerFilter(string comment = "") => (Grouped ? "const int KK = K * K, CKK = CG * KK;" : "const int KK = K * K, CKK = C * KK;") + comment;

    private void EmitGroupConstants(SourceWriter w)
    {
        if (Grouped)
            w.Line($"const int G = {I(Groups)}, CG = C / G, OCG = OC / G; // filter oc sees input channels (oc / OCG) * CG .. + CG - 1");
    }

    /// <summary>
    /// Output channels in blocks of <paramref name="n"/> (and a tail block), through <paramref name="block"/>(size, from, to);
    /// with groups, inside a loop over the groups, so that no block straddles two.
    /// </summary>
    private void EmitBlocks(SourceWriter w, int n, System.Action<int, string, string> block)
    {
        int full = GroupFilters / n * n, tail = GroupFilters - full;
        string Start(int offset) => Grouped ? (offset == 0 ? "gi * OCG" : $"gi * OCG + {I(offset)}") : I(offset);
        string end = Grouped ? "gi * OCG + OCG" : "OC";
        if (Grouped)
        {
            w.Line("// one channel group at a time: filters gi*OCG.., input channels gi*CG..");
            w.Open("for (int gi = 0; gi < G; gi++)");
        }
        block(n, Start(0), tail == 0 ? end : Start(full));
        if (tail > 0) block(tail, Start(full), end);
        if (Grouped) w.Close();
    }
    private string XPad => $"ws.{Prefix}_xpad";
    private string DXPad => $"ws.{Prefix}_dxpad";
    private string DYPad => $"ws.{Prefix}_dypad";
    /// <summary>The output gradient's shape inside the gather's zero border.</summary>
    private TensorShape DyPadded => TensorShape.Spatial(Filters, Output.H + 2 * DyBorder, Output.W + 2 * DyBorder);

    // ---- storage -------------------------------------------------------------------------------------------------

    public override IEnumerable<ParameterSlice> ParameterSlices()
    {
        yield return new(Prefix + "_w", ParameterOffset, WeightCount, $"({I(Filters)},{I(GroupChannels)},{I(Kernel)},{I(Kernel)})");
        if (Bias) yield return new(Prefix + "_b", ParameterOffset + WeightCount, Filters, $"({I(Filters)})");
    }

    public override void EmitInit(SourceWriter w)
    {
        var slices = ParameterSlices().ToList();
        Initialization.EmitWeights(w, Init, slices[0], fanIn: GroupChannels * Kernel * Kernel, fanOut: Filters * Kernel * Kernel);
        if (Bias) Initialization.EmitZero(w, slices[1]);
    }

    public override IEnumerable<WorkspaceBuffer> ExtraBuffers(bool inputGradient)
    {
        if (Padding > 0)
            yield return new($"{Prefix}_xpad", Padded.Size, $"{Name}'s input inside a zero border of {I(Padding)}: {Shape(Padded)}", true);
        if (!inputGradient) yield break;
        if (GatherDx is null && Padding > 0)
            yield return new($"{Prefix}_dxpad", Padded.Size, $"gradient of {Prefix}_xpad: {Shape(Padded)}", false);
        if (GatherDx is not null && DyBorder > 0)
            yield return new($"{Prefix}_dypad", DyPadded.Size, $"{Name}'s output gradient inside a zero border of {I(DyBorder)}, which the input gradient's gather reads: {Shape(DyPadded)}", false);
    }

    // ---- the passes ----------------------------------------------------------------------------------------------

    private KernelSignature PadKernel(string x, string xpad, string groups) =>
        new KernelSignature(Name + "_Pad").In("x", x).Out("xpad", xpad).Groups(groups);

    private KernelSignature ForwardKernel(PassContext ctx, bool narrow = false) =>
        new KernelSignature(Name + (narrow ? "_ForwardNarrow" : "_Forward")).In("x", Padding > 0 ? XPad : ctx.X).Floats("w", Prefix + "_w")
            .If(Bias, k => k.Floats("b", Prefix + "_b"))
            .If(!FoldsBatchNorm, k => k.Out("y", ctx.Y))
            .If(FoldsBatchNorm, k => k.Out("y", $"training ? {ctx.Y} : {(PaddedOutput > 0 ? $"ws.{PaddedConsumer(ctx).Prefix}_xpad" : ctx.Next.Buffers.Out)}")
                .Floats("scale", Folded(ctx).ScaleBuffer).Floats("shift", Folded(ctx).ShiftBuffer).Add("bool", "folded", "!training"))
            .Groups();

    /// <summary>The BatchNorm that the forward kernel applies in inference (<see cref="FoldsBatchNorm"/>).</summary>
    private static BatchNormSpec Folded(PassContext ctx) => (BatchNormSpec)ctx.Next;

    /// <summary>The forward kernel's last step for one accumulator: in inference, the folded BatchNorm (and its ReLU).</summary>
    private string FoldedValue(PassContext ctx, string acc, string channel) =>
        ReluOf(Folded(ctx).ReluFused, $"TLane.FusedMultiplyAdd({acc}, TLane.Broadcast(scale[{channel}]), TLane.Broadcast(shift[{channel}]))");

    private KernelSignature BackwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Backward").In("x", Padding > 0 ? XPad : ctx.X)
            .If(ScattersDx(ctx), k => k.Floats("w", Prefix + "_w"))
            .In("dy", ctx.DY!)
            .If(ScattersDx(ctx), k => k.Out("dx", Padding > 0 ? DXPad : ctx.DX!))
            .FloatsOut("dw", Prefix + "_dw")
            .If(Bias, k => k.FloatsOut("db", Prefix + "_db"))
            .Groups();

    /// <summary>Whether the backward kernel computes the input gradient too, by the scatter kernel.</summary>
    private bool ScattersDx(PassContext ctx) => ctx.InputGradient && GatherDx is null;

    private KernelSignature PadDyKernel(PassContext ctx) =>
        new KernelSignature(Name + "_PadDy").In("dy", ctx.DY!).Out("dypad", DYPad).Groups();

    private KernelSignature GatherKernel(PassContext ctx, bool narrow = false) =>
        new KernelSignature(Name + (narrow ? "_BackwardInputNarrow" : "_BackwardInput")).In("dy", DyBorder > 0 ? DYPad : ctx.DY!)
            .Floats("w", Prefix + "_w").If(AddsSkipGradient, k => k.In("dskip", SkipGradient(ctx))).Out("dx", ctx.DX!).Groups();

    private KernelSignature BackwardInputKernel(bool narrow = false) =>
        new KernelSignature(Name + (narrow ? "_BackwardInputNarrow" : "_BackwardInput")).Floats("w", "w").In("dy", "dy").Out("dx", "dx").Groups();

    private KernelSignature UnpadKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Unpad").In("dxpad", DXPad).If(AddsSkipGradient, k => k.In("dskip", SkipGradient(ctx))).Out("dx", ctx.DX!).Groups();

    public override void EmitForward(SourceWriter w, PassContext ctx)
    {
        if (InputPaddedInInference)
            w.Line($"if (training) {PadKernel(ctx.X, XPad, "B").Call()} // in inference the convolution before wrote into the middle of {XPad.Replace("ws.", "")}");
        else if (Padding > 0)
            w.Line(PadKernel(ctx.X, XPad, "B").Call());
        if (FoldsBatchNorm)
        {
            string target = PaddedOutput > 0 ? $"the middle of {PaddedConsumer(ctx).Prefix}_xpad" : ctx.Next.Buffers.Out.Replace("ws.", "");
            w.Line($"// in inference the kernel applies {ctx.Next.Name} as it writes {target}: its running statistics as a scale and shift per channel");
            w.Line("if (!training) " + Folded(ctx).FoldCall());
        }
        CallWideOrNarrow(w, ForwardKernel(ctx), NarrowForward is null ? null : ForwardKernel(ctx, narrow: true));
    }

    /// <summary>The call of <paramref name="wide"/>, or, where a 16-register form <paramref name="narrow"/> exists, of the one that fits.</summary>
    private static void CallWideOrNarrow(SourceWriter w, KernelSignature wide, KernelSignature? narrow)
    {
        if (narrow is null)
        {
            w.Line(wide.Call());
            return;
        }
        w.Line("if (global::CnnGen.VectorRegisters.Many)");
        w.Line("    " + wide.Call());
        w.Line("else // 16 vector registers (x64 without AVX-512): smaller blocks that stay in registers");
        w.Line("    " + narrow.Call());
    }

    public override void EmitBackward(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}: {Describe()}");
        // the padded gradient accumulates too, so it starts at 0 as well
        if (ScattersDx(ctx) && Padding > 0)
            w.Line($"{ArraySlice(DXPad, "B * " + I(Padded.Size))}.Clear();");
        ctx.ClearInputGradient(w);
        w.Line($"var {Prefix}_dw = g.Slice({I(ParameterOffset)}, {I(WeightCount)});");
        if (Bias) w.Line($"var {Prefix}_db = g.Slice({I(ParameterOffset + WeightCount)}, {I(Filters)});");
        if (ctx.InputGradient) w.Line($"var {Prefix}_w = p.Slice({I(ParameterOffset)}, {I(WeightCount)});");
        w.Line(BackwardKernel(ctx).Call());
        if (ScattersDx(ctx) && Padding > 0)
            w.Line(UnpadKernel(ctx).Call());
        if (!ctx.InputGradient || GatherDx is null) return;
        w.Line($"// dx = dy{(DyBorder > 0 ? $" in a zero border of {I(DyBorder)}" : "")} correlated with the flipped weights{(AddsSkipGradient ? ", plus the skip path's gradient" : "")}");
        if (DyBorder > 0) w.Line(PadDyKernel(ctx).Call());
        CallWideOrNarrow(w, GatherKernel(ctx), GatherDxNarrow is null ? null : GatherKernel(ctx, narrow: true));
    }

    // ---- kernels -------------------------------------------------------------------------------------------------

    private string Consts()
    {
        var x = Padded;
        return $"const int C = {I(x.C)}, H = {I(x.H)}, W = {I(x.W)}, OC = {I(Filters)}, K = {I(Kernel)}, S = {I(Stride)}, OH = {I(Output.H)}, OW = {I(Output.W)};";
    }

    private string Taps() => $"{I(Kernel)}x{I(Kernel)} window, taps (0,0)..({I(Kernel - 1)},{I(Kernel - 1)})";

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        EmitForwardKernels(w, ctx);
        EmitBackwardKernels(w, ctx);
    }

    private void EmitForwardKernels(SourceWriter w, PassContext ctx)
    {
        var x = Padded;
        if (Padding > 0)
        {
            EmitPad(w, PadKernel("", "", ""), $"{Name}_Pad: copy x into the middle of a zero border of {I(Padding)} (the border stays 0)", Input, Padding, "x", "xpad");
        }
        EmitForwardKernel(w, ctx, Forward, narrow: false);
        if (NarrowForward is { } narrowForward) EmitForwardKernel(w, ctx, narrowForward, narrow: true);
    }

    /// <summary>The forward kernel with unrolling <paramref name="u"/>; <paramref name="narrow"/>: the form for 16 vector registers.</summary>
    private void EmitForwardKernel(SourceWriter w, PassContext ctx, Unrolling u, bool narrow)
    {
        var x = Padded;
        w.Line($"// {Name}_Forward{(narrow ? "Narrow" : "")}: y[oc,oh,ow] = b[oc] + sum over c, kh, kw of w[oc,c,kh,kw] * x[c, oh*S+kh, ow*S+kw]");
        w.Line($"// x {Shape(x)}  w ({I(Filters)},{I(GroupChannels)},{I(Kernel)},{I(Kernel)}){(Bias ? $"  b ({I(Filters)})" : "")}  ->  y {Shape(Output)}");
        if (narrow)
            w.Line($"// the form for 16 vector registers: {I(u.ChannelBlock)} output channels{(u.PositionBlock > 1 ? $" times {I(u.PositionBlock)} columns" : "")} at a time, so that the accumulators stay in registers");
        w.Line(Hot);
        w.Open(ForwardKernel(ctx, narrow).Declaration);
        w.Line(Consts());
        EmitGroupConstants(w);
        w.Line(WeightsPerFilter(" // weights per (oc, c) and per oc"));
        if (PaddedOutput > 0)
        {
            w.Line($"// y: this layer's output in training; in inference the middle of {PaddedConsumer(ctx).Name}'s padded input (a border of {I(PaddedOutput)})");
            w.Line($"int YH = folded ? OH + {I(2 * PaddedOutput)} : OH, YW = folded ? OW + {I(2 * PaddedOutput)} : OW, Y0 = folded ? {I(PaddedOutput)} * YW + {I(PaddedOutput)} : 0;");
        }
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("// seek to x[bg] and y[bg]");
        w.Line("var xb = x.Slice(bg * (C * H * W), C * H * W);");
        w.Line($"var yb = y.Slice(bg * (OC * {YH} * {YW}), OC * {YH} * {YW});");
        if (u.Taps)
        {
            bool foldLoop = FoldsBatchNorm && FoldPastBudget(u);
            EmitBlocks(w, u.ChannelBlock, (n, from, to) => ForwardBlock(w, ctx, n, u.PositionBlock, from, to, foldLoop: foldLoop, shared: u.SharedWeights));
        }
        else
        {
            w.Line("// one output channel at a time, the window as loops");
            w.Line("for (int oc = 0; oc < OC; oc++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Open("for (int ow = 0; ow < OW; ow++)");
            w.Line(Bias ? "TLane acc = TLane.Broadcast(b[oc]);" : "TLane acc = TLane.Zero;");
            w.Line($"for (int c = 0; c < {ChannelCount}; c++)");
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Line("for (int kw = 0; kw < K; kw++)");
            w.Line($"    acc = TLane.MultiplyAdd(xb[({FilterChannel} * H + oh * S + kh) * W + ow * S + kw], w[oc * CKK + (c * K + kh) * K + kw], acc);");
            if (FoldsBatchNorm) w.Line($"if (folded) acc = {FoldedValue(ctx, "acc", "oc")};");
            w.Line($"yb[{Y0}(oc * {YH} + oh) * {YW} + ow] = acc;");
            w.Close();
        }
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Output channels [from, to) in blocks of <paramref name="n"/>, each with its own accumulator; <paramref name="gather"/>:
    /// the input gradient's gather (<see cref="EmitGatherKernel"/>), without bias or BatchNorm, flipped weights.
    /// </summary>
    private void ForwardBlock(SourceWriter w, PassContext ctx, int n, int p, string from, string to, bool gather = false, bool foldLoop = false,
                              bool shared = false)
    {
        int k = Kernel, kk = k * k;
        bool bias = Bias && !gather;
        string yh = gather ? "OH" : YH, yw = gather ? "OW" : YW, y0 = gather ? "" : Y0;
        string Weight(int j, int t) => gather ? $"wk[{I(j)} * KK + {I(kk - 1 - t)}]" : $"wk[{I(j)} * CKK + {I(t)}]";
        string A(int j, int q) => p == 1 ? $"a{I(j)}" : $"a{I(j)}_{I(q)}";
        string V(int q) => p == 1 ? "v" : $"v{I(q)}";
        w.Line(p == 1
            ? $"// output channels in blocks of {I(n)}, one accumulator each"
            : $"// output channels in blocks of {I(n)} times {I(p)} adjacent columns, one accumulator each{(shared ? "; each weight broadcast once for the columns" : "")}");
        w.Line($"for (int oc = {from}; oc < {to}; oc += {I(n)})");
        w.Line("for (int oh = 0; oh < OH; oh++)");
        w.Open(p == 1 ? "for (int ow = 0; ow < OW; ow++)" : $"for (int ow = 0; ow < OW; ow += {I(p)})");
        w.Line(bias ? "// accumulators start at the bias" : gather ? "// accumulators start at 0" : "// accumulators start at 0 (no bias)");
        for (int j = 0; j < n; j++)
            for (int q = 0; q < p; q++)
                w.Line(bias ? $"TLane {A(j, q)} = TLane.Broadcast(b[oc + {I(j)}]);" : $"TLane {A(j, q)} = TLane.Zero;");
        w.Open($"for (int c = 0; c < {(gather ? "C" : ChannelCount)}; c++)");
        w.Line(gather
            ? "// seek to the window dy[c, oh.., ow..] and to w[c, oc.., :, :]; constant indices below need no bounds checks"
            : "// seek to the window x[c, oh*S.., ow*S..] and to w[oc.., c, :, :]; constant indices below need no bounds checks");
        w.Line(p == 1
            ? $"var xk = xb.Slice(({BlockChannel} * H + oh * S) * W + ow * S, (K - 1) * W + K);"
            : $"var xk = xb.Slice(({BlockChannel} * H + oh * S) * W + ow * S, (K - 1) * W + K + {I(p - 1)} * S);");
        w.Line(gather ? $"var wk = w.Slice(c * CKK + oc * KK, {I(n)} * KK);" : $"var wk = w.Slice(oc * CKK + c * KK, {I(n - 1)} * CKK + KK);");
        w.Line($"TLane {string.Join(", ", Enumerable.Range(0, p).Select(V))}{(shared ? ", wt" : "")};");
        w.Line($"// {Taps()}{(gather ? " (weights flipped)" : "")}, times channels oc..oc+{I(n - 1)}{(p > 1 ? $", times columns ow..ow+{I(p - 1)}" : "")}");
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++)
            {
                int t = kh * k + kw;
                for (int q = 0; q < p; q++)
                    w.Line(q == 0 ? $"{V(q)} = xk[{I(kh)} * W + {I(kw)}];" : $"{V(q)} = xk[{I(kh)} * W + {I(kw)} + {I(q)} * S];");
                for (int j = 0; j < n; j++)
                {
                    if (shared) w.Line($"wt = TLane.Broadcast({Weight(j, t)});");
                    for (int q = 0; q < p; q++)
                        w.Line(shared ? $"{A(j, q)} = TLane.FusedMultiplyAdd({V(q)}, wt, {A(j, q)});" : $"{A(j, q)} = TLane.MultiplyAdd({V(q)}, {Weight(j, t)}, {A(j, q)});");
                }
            }
        w.Close();
        if (FoldsBatchNorm && !gather && !foldLoop)
        {
            w.Open("if (folded)");
            w.Line($"// inference: {ctx.Next.Name}{(Folded(ctx).ReluFused ? " and its ReLU" : "")}, acc * scale + shift{(Folded(ctx).ReluFused ? " then max(., 0)" : "")}");
            for (int j = 0; j < n; j++)
                for (int q = 0; q < p; q++)
                    w.Line($"{A(j, q)} = {FoldedValue(ctx, A(j, q), $"oc + {I(j)}")};");
            w.Close();
        }
        w.Line(gather ? "// seek to dx[oc, oh, ow]" : "// seek to y[oc, oh, ow]");
        w.Line($"int yo = {y0}(oc * {yh} + oh) * {yw} + ow;");
        bool skip = gather && AddsSkipGradient;
        for (int j = 0; j < n; j++)
            for (int q = 0; q < p; q++)
            {
                string at = q == 0 ? $"yo + {I(j)} * ({yh} * {yw})" : $"yo + {I(j)} * ({yh} * {yw}) + {I(q)}";
                w.Line(skip ? $"yb[{at}] = {A(j, q)} + sb[{at}];" : $"yb[{at}] = {A(j, q)};");
            }
        if (foldLoop)
        {
            w.Line($"// inference: {ctx.Next.Name}{(Folded(ctx).ReluFused ? " and its ReLU" : "")}, acc * scale + shift{(Folded(ctx).ReluFused ? " then max(., 0)" : "")}, on the values just");
            w.Line("// written, in a loop (written out for each accumulator, it would take this method past the JIT's inlining budget)");
            w.Line("if (folded)");
            w.Line($"    for (int j = 0; j < {I(n)}; j++)");
            w.Line(p == 1 ? "    {" : $"    for (int q = 0; q < {I(p)}; q++)");
            if (p > 1) w.Line("    {");
            w.Line($"        int i = yo + j * ({yh} * {yw}){(p > 1 ? " + q" : "")};");
            w.Line($"        yb[i] = {FoldedValue(ctx, "yb[i]", "oc + j")};");
            w.Line("    }");
        }
        w.Close();
    }

    /// <summary>
    /// Whether the forward kernel's folded BatchNorm, written out for each accumulator (a multiply-add, two broadcasts and
    /// the ReLU), would take it past <see cref="UnrollPlan.Budget"/>: then the JIT stops inlining the lane calls, and the
    /// accumulators of the main loop go through the stack (BnNet's 5x5 first convolution: 16 channels, 425 statements).
    /// </summary>
    private bool FoldPastBudget(Unrolling u)
    {
        int n = u.ChannelBlock, p = u.PositionBlock, tail = GroupFilters % n;
        return UnrollPlan.ForwardCost(u, Kernel * Kernel, tail) + 4L * (n + tail) * p > UnrollPlan.Budget;
    }

    private void EmitBackwardKernels(SourceWriter w, PassContext ctx)
    {
        var x = Padded;
        bool dx = ScattersDx(ctx);
        int k = Kernel, kk = k * k;
        w.Line($"// {Name}_Backward (accumulates +=):");
        w.Line("//   dw[oc,c,kh,kw] += sum over samples, oh, ow of dy[oc,oh,ow] * x[c, oh*S+kh, ow*S+kw]");
        if (Bias) w.Line("//   db[oc]         += sum over samples, oh, ow of dy[oc,oh,ow]");
        if (dx) w.Line("//   dx[c, oh*S+kh, ow*S+kw] += sum over oc of w[oc,c,kh,kw] * dy[oc,oh,ow]");
        w.Line($"// x {Shape(x)}  dy {Shape(Output)}  ->  dw ({I(Filters)},{I(GroupChannels)},{I(k)},{I(k)}){(Bias ? $"  db ({I(Filters)})" : "")}{(dx ? $"  dx {Shape(x)}" : "")}");
        w.Line(Hot);
        w.Open(BackwardKernel(ctx).Declaration);
        w.Line(Consts());
        EmitGroupConstants(w);
        w.Line(WeightsPerFilter());
        if (Bias)
        {
            w.Line("// db: sum dy per output channel");
            w.Open("for (int oc = 0; oc < OC; oc++)");
            w.Line("TLane acc = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("    for (int o = 0; o < OH * OW; o++)");
            w.Line("        acc += dy[(bg * OC + oc) * (OH * OW) + o];");
            w.Line("db[oc] += TLane.Sum(acc);");
            w.Close();
        }
        int narrowPasses = (kk + UnrollPlan.NarrowWeightGradientTaps - 1) / UnrollPlan.NarrowWeightGradientTaps;
        if (UnrollWeightGradient && (WeightGradientBlock > 1 || narrowPasses > 1))
        {
            // more accumulators than 16 vector registers hold: there one channel at a time, and its taps in passes
            w.Open("if (global::CnnGen.VectorRegisters.Many)");
            EmitWeightGradient(w, WeightGradientBlock);
            w.Close();
            w.Open("else");
            w.Line(narrowPasses > 1
                ? $"// 16 vector registers (x64 without AVX-512): one output channel at a time, its taps in {I(narrowPasses)} passes over the"
                  + " positions, so that the accumulators stay in registers"
                : "// 16 vector registers (x64 without AVX-512): one output channel at a time, so that its accumulators stay in registers");
            EmitWeightGradient(w, 1, (kk + narrowPasses - 1) / narrowPasses);
            w.Close();
        }
        else
            EmitWeightGradient(w, UnrollWeightGradient ? WeightGradientBlock : 1);
        if (dx)
        {
            w.Line("// dx: in its own method, so each method stays inside the JIT's inlining budget");
            if (NarrowDxBlock > 0)
            {
                w.Line("// (with 16 vector registers, x64 without AVX-512, in smaller blocks that stay in registers)");
                w.Line("if (global::CnnGen.VectorRegisters.Many)");
                w.Line("    " + BackwardInputKernel().Call());
                w.Line("else");
                w.Line("    " + BackwardInputKernel(narrow: true).Call());
            }
            else
                w.Line(BackwardInputKernel().Call());
        }
        w.Close();
        w.Line();
        if (dx)
        {
            EmitBackwardInput(w, Backward.ChannelBlock, narrow: false);
            if (NarrowDxBlock > 0) EmitBackwardInput(w, NarrowDxBlock, narrow: true);
        }
        if (dx && Padding > 0)
        {
            w.Line(AddsSkipGradient
                ? $"// {Name}_Unpad (writes dx): dx = the middle of dxpad (the border's gradient belongs to no input) + dskip, the"
                : $"// {Name}_Unpad (writes dx): dx = the middle of dxpad (the border's gradient belongs to no input)");
            if (AddsSkipGradient)
                w.Line($"// gradient around the block that {ctx.Network.Layers[Index - 1].Name} opens: the sum is the whole gradient of the block's input");
            w.Line($"// dxpad {Shape(x)}  ->  dx {Shape(Input)}");
            w.Line(Hot);
            w.Open(UnpadKernel(ctx).Declaration);
            w.Line($"const int C = {I(Input.C)}, H = {I(Input.H)}, W = {I(Input.W)}, P = {I(Padding)}, HP = H + 2 * P, WP = W + 2 * P;");
            w.Line("for (int bc = 0; bc < B * C; bc++)");
            w.Line("    for (int h = 0; h < H; h++)");
            w.Line("        for (int i = 0; i < W; i++)");
            w.Line(AddsSkipGradient
                ? "            dx[(bc * H + h) * W + i] = dxpad[(bc * HP + h + P) * WP + P + i] + dskip[(bc * H + h) * W + i];"
                : "            dx[(bc * H + h) * W + i] = dxpad[(bc * HP + h + P) * WP + P + i];");
            w.Close();
            w.Line();
        }
        if (ctx.InputGradient && GatherDx is { } gather)
        {
            if (DyBorder > 0)
                EmitPad(w, PadDyKernel(ctx), $"{Name}_PadDy: copy dy into the middle of a zero border of {I(DyBorder)} (the border stays 0)",
                        Output, DyBorder, "dy", "dypad");
            EmitGatherKernel(w, ctx, gather, narrow: false);
            if (GatherDxNarrow is { } narrowGather) EmitGatherKernel(w, ctx, narrowGather, narrow: true);
        }
    }

    /// <summary>
    /// The input gradient as a gather: dx[c,h,w] = sum over oc, kh, kw of w[oc,c,kh,kw] * dy[oc, h+P-kh, w+P-kw], which is
    /// the forward kernel's correlation of dy (in a zero border of K-1-P) with the weights flipped in both axes and the
    /// roles of input and output channels swapped; each dx value is summed in a register and written once.
    /// </summary>
    private void EmitGatherKernel(SourceWriter w, PassContext ctx, Unrolling u, bool narrow)
    {
        var dy = DyPadded;
        string shift = Padding > 0 ? $"+{I(Padding)}" : "";
        w.Line($"// {Name}_BackwardInput{(narrow ? "Narrow" : "")} (writes dx): dx[c,h,w] = sum over oc, kh, kw of w[oc,c,kh,kw] * dy[oc, h{shift}-kh, w{shift}-kw]{(AddsSkipGradient ? " + dskip[c,h,w]" : "")}");
        w.Line($"// the forward correlation of dy{(DyBorder > 0 ? $" in a zero border of {I(DyBorder)}" : "")} with the flipped weights: in this kernel's names dy is the input");
        w.Line("// (C channels of H x W) and dx the output (OC channels of OH x OW), and tap (kh, kw) takes weight w[c, oc, K-1-kh, K-1-kw]");
        w.Line($"// dy {Shape(dy)}  w ({I(Filters)},{I(Input.C)},{I(Kernel)},{I(Kernel)}){(AddsSkipGradient ? $"  dskip {Shape(Input)}" : "")}  ->  dx {Shape(Input)}");
        if (narrow)
            w.Line($"// the form for 16 vector registers: {I(u.ChannelBlock)} output channels{(u.PositionBlock > 1 ? $" times {I(u.PositionBlock)} columns" : "")} at a time, so that the accumulators stay in registers");
        w.Line(Hot);
        w.Open(GatherKernel(ctx, narrow).Declaration);
        w.Line($"const int C = {I(dy.C)}, H = {I(dy.H)}, W = {I(dy.W)}, OC = {I(Input.C)}, K = {I(Kernel)}, S = 1, OH = {I(Input.H)}, OW = {I(Input.W)};");
        w.Line("const int KK = K * K, CKK = OC * KK; // weights per (c, oc) and per c");
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("// seek to dy[bg] and dx[bg]");
        w.Line("var xb = dy.Slice(bg * (C * H * W), C * H * W);");
        w.Line("var yb = dx.Slice(bg * (OC * OH * OW), OC * OH * OW);");
        if (AddsSkipGradient) w.Line("var sb = dskip.Slice(bg * (OC * OH * OW), OC * OH * OW);");
        int full = Input.C / u.ChannelBlock * u.ChannelBlock, tail = Input.C - full;
        ForwardBlock(w, ctx, u.ChannelBlock, u.PositionBlock, "0", tail == 0 ? "OC" : I(full), gather: true, shared: u.SharedWeights);
        if (tail > 0) ForwardBlock(w, ctx, tail, u.PositionBlock, I(full), "OC", gather: true, shared: u.SharedWeights);
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>A kernel that copies <paramref name="from"/> into the middle of <paramref name="to"/>, a zero border of <paramref name="border"/> around <paramref name="shape"/>.</summary>
    private static void EmitPad(SourceWriter w, KernelSignature kernel, string title, TensorShape shape, int border, string from, string to)
    {
        var padded = TensorShape.Spatial(shape.C, shape.H + 2 * border, shape.W + 2 * border);
        w.Line("// " + title);
        w.Line($"// {from} {Shape(shape)}  ->  {to} {Shape(padded)}");
        w.Line(Hot);
        w.Open(kernel.Declaration);
        w.Line($"const int C = {I(shape.C)}, H = {I(shape.H)}, W = {I(shape.W)}, P = {I(border)}, HP = H + 2 * P, WP = W + 2 * P;");
        w.Line("for (int bc = 0; bc < B * C; bc++)");
        w.Line("    for (int h = 0; h < H; h++)");
        w.Line($"        {from}.Slice((bc * H + h) * W, W).CopyTo({to}.Slice((bc * HP + h + P) * WP + P, W));");
        w.Close();
        w.Line();
    }

    /// <summary>The weight gradient, <paramref name="wb"/> output channels at a time (1 or 2) when unrolled.</summary>
    private void EmitWeightGradient(SourceWriter w, int wb, int passTaps = int.MaxValue)
    {
        int k = Kernel, kk = k * k;
        string G(int j, int t) => wb == 1 ? $"g{I(t)}" : $"g{I(j)}_{I(t)}";
        string D(int j) => wb == 1 ? "d" : $"d{I(j)}";
        if (wb == 1)
            w.Line("// dw: one accumulator per tap of the window, summed over samples and positions");
        else
        {
            w.Line($"// dw: {I(wb)} output channels at a time, one accumulator per channel and tap, summed over samples and");
            w.Line($"// positions; each input tap is loaded once for the {I(wb)} channels");
        }
        w.Line(wb == 1 ? "for (int oc = 0; oc < OC; oc++)" : $"for (int oc = 0; oc < OC; oc += {I(wb)})");
        w.Open($"for (int c = 0; c < {ChannelCount}; c++)");
        if (UnrollWeightGradient && passTaps < kk)
        {
            // one output channel (wb is 1), the taps [first, first + passTaps) per pass over the samples and positions
            for (int first = 0; first < kk; first += passTaps)
            {
                int last = System.Math.Min(kk, first + passTaps) - 1;
                w.Line($"// taps ({I(first / k)},{I(first % k)})..({I(last / k)},{I(last % k)})");
                for (int t = first; t <= last; t++) w.Line($"TLane g{I(t)} = TLane.Zero;");
                w.Line("for (int bg = 0; bg < B; bg++)");
                w.Line("for (int oh = 0; oh < OH; oh++)");
                w.Open("for (int ow = 0; ow < OW; ow++)");
                w.Line("TLane d = dy[((bg * OC + oc) * OH + oh) * OW + ow];");
                w.Line($"var xk = x.Slice(((bg * C + {FilterChannel}) * H + oh * S) * W + ow * S, (K - 1) * W + K);");
                for (int t = first; t <= last; t++)
                    w.Line($"g{I(t)} = TLane.FusedMultiplyAdd(d, xk[{I(t / k)} * W + {I(t % k)}], g{I(t)});");
                w.Close();
                w.Line("int wo" + I(first) + " = oc * CKK + c * KK;");
                for (int t = first; t <= last; t++)
                    w.Line($"dw[wo{I(first)} + {I(t)}] += TLane.Sum(g{I(t)});");
            }
        }
        else if (UnrollWeightGradient)
        {
            for (int j = 0; j < wb; j++)
                for (int t = 0; t < kk; t++) w.Line($"TLane {G(j, t)} = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            // position pairs where a row has an even count (perf shares on a Zen 5: the 14-column weight gradients of the
            // VGG-style net and the ResNet 2-18% less time against their forward kernels, the 28-column ones unchanged)
            if (wb > 1 && Stride == 1 && Output.W % 2 == 0)
                EmitWeightGradientColumnPairs(w, wb, G, D);
            else
                EmitWeightGradientPositions(w, wb, G, D);
            w.Line(wb == 1 ? "// seek to dw[oc, c, 0, 0]" : $"// seek to dw[oc, c, 0, 0]; channel oc + j is j * CKK further");
            w.Line("int wo = oc * CKK + c * KK;");
            for (int j = 0; j < wb; j++)
                for (int t = 0; t < kk; t++)
                    w.Line(j == 0 ? $"dw[wo + {I(t)}] += TLane.Sum({G(j, t)});" : $"dw[wo + {I(j)} * CKK + {I(t)}] += TLane.Sum({G(j, t)});");
        }
        else
        {
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Open("for (int kw = 0; kw < K; kw++)");
            w.Line("TLane acc = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Line("for (int ow = 0; ow < OW; ow++)");
            w.Line($"    acc = TLane.FusedMultiplyAdd(dy[((bg * OC + oc) * OH + oh) * OW + ow], x[((bg * C + {FilterChannel}) * H + oh * S + kh) * W + ow * S + kw], acc);");
            w.Line("dw[oc * CKK + (c * K + kh) * K + kw] += TLane.Sum(acc);");
            w.Close();
        }
        w.Close();
    }

    /// <summary>
    /// The unrolled weight gradient's loop over the columns of one row, two positions at a time: the window of both is
    /// K + 1 input columns wide, so each loaded input serves tap kw of position ow and tap kw - 1 of ow + 1 (K * (K + 1)
    /// loads instead of 2 * K * K). Each accumulator still sums position ow before ow + 1: the same bits as one at a time.
    /// </summary>
    private void EmitWeightGradientColumnPairs(SourceWriter w, int wb, System.Func<int, int, string> G, System.Func<int, string> D)
    {
        int k = Kernel;
        w.Open("for (int ow = 0; ow < OW; ow += 2)");
        w.Line($"// seek to dy[bg, oc..oc+{I(wb - 1)}, oh, ow..ow+1] and x[bg, c, oh, ow]");
        for (int j = 0; j < wb; j++)
        {
            string row = j == 0 ? "((bg * OC + oc) * OH + oh) * OW + ow" : $"((bg * OC + oc + {I(j)}) * OH + oh) * OW + ow";
            w.Line($"TLane {D(j)} = dy[{row}], {D(j)}b = dy[{row} + 1];");
        }
        w.Line($"var xk = x.Slice(((bg * C + c) * H + oh) * W + ow, (K - 1) * W + K + 1);");
        w.Line("TLane v;");
        w.Line($"// {Taps()}, column by column: column kw serves tap kw of position ow and tap kw - 1 of ow + 1");
        for (int kh = 0; kh < k; kh++)
            for (int col = 0; col <= k; col++)
            {
                w.Line($"v = xk[{I(kh)} * W + {I(col)}];");
                for (int j = 0; j < wb; j++)
                {
                    if (col < k) w.Line($"{G(j, kh * k + col)} = TLane.FusedMultiplyAdd({D(j)}, v, {G(j, kh * k + col)});");
                    if (col > 0) w.Line($"{G(j, kh * k + col - 1)} = TLane.FusedMultiplyAdd({D(j)}b, v, {G(j, kh * k + col - 1)});");
                }
            }
        w.Close();
    }

    /// <summary>The unrolled weight gradient's loop over the columns of one row, one position at a time.</summary>
    private void EmitWeightGradientPositions(SourceWriter w, int wb, System.Func<int, int, string> G, System.Func<int, string> D)
    {
        int k = Kernel;
        w.Open("for (int ow = 0; ow < OW; ow++)");
        w.Line(wb == 1 ? "// seek to dy[bg, oc, oh, ow] and x[bg, c, oh*S, ow*S]" : $"// seek to dy[bg, oc..oc+{I(wb - 1)}, oh, ow] and x[bg, c, oh*S, ow*S]");
        for (int j = 0; j < wb; j++)
            w.Line(j == 0 ? $"TLane {D(j)} = dy[((bg * OC + oc) * OH + oh) * OW + ow];" : $"TLane {D(j)} = dy[((bg * OC + oc + {I(j)}) * OH + oh) * OW + ow];");
        w.Line($"var xk = x.Slice(((bg * C + {FilterChannel}) * H + oh * S) * W + ow * S, (K - 1) * W + K);");
        if (wb > 1) w.Line("TLane v;");
        w.Line($"// {Taps()}");
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++)
            {
                int t = kh * k + kw;
                if (wb == 1)
                {
                    w.Line($"g{I(t)} = TLane.FusedMultiplyAdd(d, xk[{I(kh)} * W + {I(kw)}], g{I(t)});");
                    continue;
                }
                w.Line($"v = xk[{I(kh)} * W + {I(kw)}];");
                for (int j = 0; j < wb; j++)
                    w.Line($"{G(j, t)} = TLane.FusedMultiplyAdd({D(j)}, v, {G(j, t)});");
            }
        w.Close();
    }

    /// <summary>The input-gradient kernel in blocks of <paramref name="block"/> output channels; <paramref name="narrow"/>: the form for 16 vector registers.</summary>
    private void EmitBackwardInput(SourceWriter w, int block, bool narrow)
    {
        int k = Kernel;
        var kernel = BackwardInputKernel(narrow);
        w.Line($"// {Name}_BackwardInput{(narrow ? "Narrow" : "")} (accumulates): dx[c, oh*S+kh, ow*S+kw] += sum over oc of w[oc,c,kh,kw] * dy[oc,oh,ow]");
        w.Line($"// w ({I(Filters)},{I(GroupChannels)},{I(k)},{I(k)})  dy {Shape(Output)}  ->  dx {Shape(Padded)}");
        if (narrow)
            w.Line($"// the form for 16 vector registers: output channels in blocks of {I(block)}, so that their gradients and the taps' sums stay in registers");
        w.Line(Hot);
        w.Open(kernel.Declaration);
        w.Line(Consts());
        EmitGroupConstants(w);
        w.Line(WeightsPerFilter());
        w.Line("// dx: scatter each output gradient back through the window");
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("// seek to dy[bg] and dx[bg]");
        w.Line("var dyb = dy.Slice(bg * (OC * OH * OW), OC * OH * OW);");
        w.Line("var dxb = dx.Slice(bg * (C * H * W), C * H * W);");
        if (Backward.Taps)
        {
            int kk = k * k;
            System.Func<int, int> group = narrow ? n => UnrollPlan.NarrowTapGroup(kk, n) : n => UnrollPlan.TapGroup(kk, n);
            EmitBlocks(w, block, (n, from, to) => DxBlock(w, n, group(n), from, to));
        }
        else
        {
            w.Line("for (int oc = 0; oc < OC; oc++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Open("for (int ow = 0; ow < OW; ow++)");
            w.Line("TLane d = dyb[(oc * OH + oh) * OW + ow];");
            w.Line($"for (int c = 0; c < {ChannelCount}; c++)");
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Open("for (int kw = 0; kw < K; kw++)");
            w.Line($"int xi = ({FilterChannel} * H + oh * S + kh) * W + ow * S + kw;");
            w.Line("dxb[xi] = TLane.MultiplyAdd(d, w[oc * CKK + (c * K + kh) * K + kw], dxb[xi]);");
            w.Close();
            w.Close();
        }
        w.Close();
        w.Close();
        w.Line();
    }

    /// <summary>Output channels [from, to) in blocks of <paramref name="n"/>; taps in groups of <paramref name="group"/>, each with its own accumulator.</summary>
    private void DxBlock(SourceWriter w, int n, int group, string from, string to)
    {
        int k = Kernel;
        w.Line($"// output channels in blocks of {I(n)}");
        w.Line($"for (int oc = {from}; oc < {to}; oc += {I(n)})");
        w.Line("for (int oh = 0; oh < OH; oh++)");
        w.Open("for (int ow = 0; ow < OW; ow++)");
        w.Line("// gradients of channels oc.. at (oh, ow)");
        w.Line("int yo = (oc * OH + oh) * OW + ow;");
        for (int j = 0; j < n; j++)
            w.Line($"TLane d{I(j)} = dyb[yo + {I(j)} * (OH * OW)];");
        w.Open($"for (int c = 0; c < {ChannelCount}; c++)");
        w.Line("// seek to the window dx[c, oh*S.., ow*S..] and to w[oc.., c, :, :]");
        w.Line($"var dxk = dxb.Slice(({BlockChannel} * H + oh * S) * W + ow * S, (K - 1) * W + K);");
        w.Line($"var wk = w.Slice(oc * CKK + c * KK, {I(n - 1)} * CKK + KK);");
        // Taps in groups, each tap with its own accumulator: the FMAs of one channel go to independent
        // registers instead of one dependent chain per tap.
        int taps = k * k;
        w.Line($"TLane {string.Join(", ", Enumerable.Range(0, group).Select(g => "t" + I(g)))};");
        for (int first = 0; first < taps; first += group)
        {
            int count = System.Math.Min(group, taps - first);
            string At(int t) => $"{I(t / k)} * W + {I(t % k)}";
            w.Line($"// taps ({I(first / k)},{I(first % k)})..({I((first + count - 1) / k)},{I((first + count - 1) % k)}): read, add channels oc..oc+{I(n - 1)}, write back");
            for (int g = 0; g < count; g++)
                w.Line($"t{I(g)} = dxk[{At(first + g)}];");
            for (int j = 0; j < n; j++)
                for (int g = 0; g < count; g++)
                    w.Line($"t{I(g)} = TLane.MultiplyAdd(d{I(j)}, wk[{I(j)} * CKK + {I(first + g)}], t{I(g)});");
            for (int g = 0; g < count; g++)
                w.Line($"dxk[{At(first + g)}] = t{I(g)};");
        }
        w.Close();
        w.Close();
    }

    // ---- single-sample Predict -----------------------------------------------------------------------------------

    /// <summary>Output channels in the lanes of the single-sample kernel (<see cref="ChannelLanes"/>) instead of adjacent columns.</summary>
    private bool PredictChannelLanes => ChannelLanes.Pays(Filters, Groups, Input.C, Kernel, Stride, Output.W);

    public override IEnumerable<(string Name, long Size, string Comment)> PredictExtraBuffers()
    {
        if (Padding > 0)
            yield return ($"{Prefix}_xpad", Padded.Size, $"{Name}'s input inside a zero border of {I(Padding)}: {Plain(Padded)}");
        if (PredictChannelLanes)
            foreach (var b in ChannelLanes.Buffers(Prefix, Name, WeightCount, Output))
                yield return b;
    }

    protected override KernelSignature PredictKernel(string x, string y) =>
        new KernelSignature(Name + "_Predict").Floats("x", x).Floats("w", Prefix + "_w")
            .If(Bias, k => k.Floats("b", Prefix + "_b")).FloatsOut("y", y);

    public override void EmitPredict(SourceWriter w, PredictContext ctx)
    {
        string input = ctx.X;
        if (Padding > 0)
        {
            w.Line(PadKernel(Lane1s(ctx.X, Input.Size), Lane1s(XPad, Padded.Size), "1").Call("global::CnnGen.Lane1"));
            input = XPad;
        }
        if (PredictChannelLanes)
        {
            w.Line(ChannelLanes.PackKernel(Name, Prefix, Prefix + "_w").PlainCall);
            w.Line(ChannelLanes.Kernel(Name, Prefix, input, Bias, null, ctx.Y).Call());
            return;
        }
        w.Line(PredictKernel(input, ctx.Y).Call());
    }

    public override void EmitPredictKernel(SourceWriter w)
    {
        if (PredictChannelLanes)
        {
            ChannelLanes.EmitPack(w, Name, Prefix, Filters, Input.C, Kernel);
            ChannelLanes.EmitKernel(w, Name, Prefix, Name + "_Forward", Padded, Output, Kernel, Stride, Bias, residual: false);
            return;
        }
        var x = Padded;
        int k = Kernel;
        w.Line($"// {Name}_Predict: {Name}_Forward for one sample, each value holding TLane.Count adjacent output columns");
        w.Line($"// x {Plain(x)}  w ({I(Filters)},{I(GroupChannels)},{I(k)},{I(k)}){(Bias ? $"  b ({I(Filters)})" : "")}  ->  y {Plain(Output)}, floats with slack");
        w.Line(Hot);
        w.Open(PredictKernel("", "").Declaration);
        w.Line($"const int C = {I(x.C)}, H = {I(x.H)}, W = {I(x.W)}, OC = {I(Filters)}, K = {I(k)}, S = {I(Stride)}, OH = {I(Output.H)}, OW = {I(Output.W)};");
        EmitGroupConstants(w);
        w.Line(WeightsPerFilter(" // weights per (oc, c) and per oc"));
        if (!Predict.Taps)
        {
            w.Line("// one output channel at a time, the window as loops");
            w.Line("for (int oc = 0; oc < OC; oc++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            PredictRuns.Open(w);
            w.Line(Bias ? "TLane acc = TLane.Broadcast(b[oc]);" : "TLane acc = TLane.Zero;");
            w.Line($"for (int c = 0; c < {ChannelCount}; c++)");
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Line("for (int kw = 0; kw < K; kw++)");
            w.Line($"    acc = TLane.MultiplyAdd(TLane.LoadStrided(x, ({FilterChannel} * H + oh * S + kh) * W + ow * S + kw, S), w[oc * CKK + (c * K + kh) * K + kw], acc);");
            PredictRuns.Store(w, new[] { ("acc", "(oc * OH + oh) * OW + ow") });
            w.Close();
        }
        else
        {
            EmitBlocks(w, Predict.ChannelBlock, (n, from, to) => PredictBlock(w, n, from, to));
        }
        w.Close();
        w.Line();
    }

    /// <summary>Output channels [from, to) in blocks of <paramref name="n"/>; one vector load per tap serves the block.</summary>
    private void PredictBlock(SourceWriter w, int n, string from, string to)
    {
        int k = Kernel;
        w.Line($"// output channels in blocks of {I(n)}, one accumulator each");
        w.Line($"for (int oc = {from}; oc < {to}; oc += {I(n)})");
        w.Line("for (int oh = 0; oh < OH; oh++)");
        PredictRuns.Open(w);
        w.Line(Bias ? "// accumulators start at the bias" : "// accumulators start at 0 (no bias)");
        for (int j = 0; j < n; j++)
            w.Line(Bias ? $"TLane a{I(j)} = TLane.Broadcast(b[oc + {I(j)}]);" : $"TLane a{I(j)} = TLane.Zero;");
        w.Open($"for (int c = 0; c < {ChannelCount}; c++)");
        w.Line("// seek to the windows x[c, oh*S.., ow*S..] of TLane.Count columns and to w[oc.., c, :, :]");
        w.Line($"var xk = x.Slice(({BlockChannel} * H + oh * S) * W + ow * S, (K - 1) * W + K - 1 + S * TLane.Count);");
        w.Line($"var wk = w.Slice(oc * CKK + c * KK, {I(n - 1)} * CKK + KK);");
        w.Line("TLane v;");
        w.Line($"// {I(k)}x{I(k)} window, taps (0,0)..({I(k - 1)},{I(k - 1)}), times channels oc..oc+{I(n - 1)}");
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++)
            {
                w.Line($"v = TLane.LoadStrided(xk, {I(kh)} * W + {I(kw)}, S);");
                for (int j = 0; j < n; j++)
                    w.Line($"a{I(j)} = TLane.MultiplyAdd(v, wk[{I(j)} * CKK + {I(kh * k + kw)}], a{I(j)});");
            }
        w.Close();
        w.Line("// seek to y[oc, oh, ow]");
        w.Line("int yo = (oc * OH + oh) * OW + ow;");
        PredictRuns.Store(w, Enumerable.Range(0, n).Select(j => ($"a{I(j)}", j == 0 ? "yo" : $"yo + {I(j)} * (OH * OW)")).ToList());
        w.Close();
    }
}

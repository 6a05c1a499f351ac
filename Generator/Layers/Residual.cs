using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Residual]</c> opens a residual block; <c>[Add(Projection =)]</c> closes it.</summary>
internal sealed class ResidualKind : LayerKind
{
    public static readonly ResidualKind Instance = new();
    private ResidualKind() : base("Residual", "Res") { }
    public override InitRole Role => InitRole.Transparent;
    public override LayerDecl Read(AttributeArgs a) => new ResidualDecl();

    /// <summary>The residual block still open before layer <paramref name="earlier"/>'s end: the nearest Residual not closed by an Add.</summary>
    public static ResidualSpec? OpenBlock(IReadOnlyList<LayerSpec> earlier)
    {
        for (int i = earlier.Count - 1; i >= 0; i--)
        {
            if (earlier[i] is AddSpec) return null;
            if (earlier[i] is ResidualSpec r) return r;
        }
        return null;
    }
}

internal sealed class AddKind : LayerKind
{
    public static readonly AddKind Instance = new();
    private AddKind() : base("Add", "Add") { }
    public override LayerDecl Read(AttributeArgs a) => new AddDecl(a.Bool("Projection", false));
}

internal sealed record ResidualDecl : LayerDecl
{
    public override LayerKind Kind => ResidualKind.Instance;

    public override LayerSpec? Infer(InferContext ctx)
    {
        if (ResidualKind.OpenBlock(ctx.Earlier) is { } open)
        {
            ctx.Problem(DiagnosticDescriptors.NestedResidual, ctx.Name, open.Name);
            return null;
        }
        return new ResidualSpec { Output = ctx.Input };
    }
}

internal sealed record AddDecl(bool Projection) : LayerDecl
{
    public override LayerKind Kind => AddKind.Instance;

    public override LayerSpec? Infer(InferContext ctx)
    {
        if (ResidualKind.OpenBlock(ctx.Earlier) is not { } block)
        {
            ctx.Problem(DiagnosticDescriptors.AddWithoutResidual, ctx.Name);
            return null;
        }
        TensorShape skip = block.Input, y = ctx.Input;
        if (!Projection)
        {
            if (skip != y)
            {
                ctx.Problem(DiagnosticDescriptors.ResidualShapeMismatch, ctx.Name, skip.ToString(), y.ToString());
                return null;
            }
            return new AddSpec(block.Index, block.Name, skip, Projection: false, Stride: 1, InitKind.None) { Output = y };
        }
        // a 1x1 convolution with stride S maps H to (H - 1) / S + 1: find the S that gives the block's output
        int stride = 0;
        if (!skip.IsFlat && !y.IsFlat)
            for (int s = 1; s <= Math.Max(skip.H, skip.W) && stride == 0; s++)
                if ((skip.H - 1) / s + 1 == y.H && (skip.W - 1) / s + 1 == y.W) stride = s;
        if (stride == 0)
        {
            ctx.Problem(DiagnosticDescriptors.ProjectionImpossible, ctx.Name, skip.ToString(), y.ToString());
            return null;
        }
        long weights = (long)y.C * skip.C;
        if (ctx.TooLarge("the weight count", weights)) return null;
        return new AddSpec(block.Index, block.Name, skip, Projection: true, stride, ctx.Init())
        {
            Output = y,
            ParameterCount = (int)weights + y.C,
        };
    }
}

/// <summary>
/// Opens a residual block. Forward it passes its input on (the Add that closes the block reads it again); backward
/// the input gets both gradients: the block's (through this layer's own gradient buffer) plus the skip path's.
/// </summary>
internal sealed record ResidualSpec : LayerSpec
{
    public override string Describe() => "Residual: keeps its input for the Add that closes the block";
    public override string Fingerprint() => "Residual";
    public override bool PassesInputOn(bool singleSample) => true;
    /// <summary>The block writes its input gradient here, apart from the skip path's, and backward sums the two.</summary>
    public override bool PassesGradientOn => SumFusedIntoUnpad;
    public override bool WritesInputGradient => true;

    /// <summary>
    /// The block starts with a padded convolution, whose Unpad writes dx = (its gradient) + dskip straight into this
    /// layer's input gradient (<see cref="Planning.Fusion"/>): no backward pass here, and the gradient buffer is passed on.
    /// </summary>
    public bool SumFusedIntoUnpad { get; init; }

    public override void CheckComplete(IReadOnlyList<LayerSpec> layers, Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, object[]> problem)
    {
        if (Join(layers) is null) problem(DiagnosticDescriptors.ResidualNotClosed, new object[] { Name });
    }

    /// <summary>The Add that closes this block, if any.</summary>
    public AddSpec? Join(IReadOnlyList<LayerSpec> layers) =>
        layers.OfType<AddSpec>().FirstOrDefault(a => a.BlockStart == Index);

    public override void EmitForward(SourceWriter w, PassContext ctx) =>
        w.Line($"// the block's input stays in {ctx.X} for {Join(ctx.Network.Layers.ToList())!.Name}: no copy.");

    private KernelSignature BackwardKernel(PassContext ctx)
    {
        var join = Join(ctx.Network.Layers.ToList())!;
        return new KernelSignature(Name + "_Backward").In("dy", ctx.DY!).In("dskip", join.SkipGradient).Out("dx", ctx.DX!).Groups();
    }

    public override void EmitBackward(SourceWriter w, PassContext ctx)
    {
        if (SumFusedIntoUnpad)
            w.Line($"// {Name}: {Describe()}: dx = dy + dskip written by {ctx.Next.Name}_Unpad");
        else
            base.EmitBackward(w, ctx);
    }

    protected override void EmitBackwardCall(SourceWriter w, PassContext ctx) => w.Line(BackwardKernel(ctx).Call());

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward: none. The block's input is read again by {Join(ctx.Network.Layers.ToList())!.Name}.");
        if (SumFusedIntoUnpad)
            w.Line($"// {Name}_Backward: none. {ctx.Next.Name}_Unpad writes dx = dy (through the block) + dskip (around it).");
        if (!ctx.InputGradient || SumFusedIntoUnpad) return;
        w.Line($"// {Name}_Backward (writes dx: the sum of the two paths): dx = dy (through the block) + dskip (around it)");
        w.Line($"// dy, dskip {Shape(Input)}  ->  dx {Shape(Input)}");
        w.Line(Hot);
        w.Open(BackwardKernel(ctx).Declaration);
        w.Line($"const int N = {I(Input.Size)};");
        w.Line("for (int i = 0; i < B * N; i++)");
        w.Line("    dx[i] = dy[i] + dskip[i];");
        w.Close();
        w.Line();
    }

    public override void EmitPredict(SourceWriter w, PredictContext ctx) => w.Line("// the block's input stays where it is: no copy.");
}

/// <summary>
/// Closes a residual block: y = x + skip, or y = x + b + w * skip sampled with a stride (a 1x1 convolution) when
/// <see cref="Projection"/> is set. Backward: dx = dy; the skip path's gradient is dy itself, or w^T dy.
/// </summary>
internal sealed record AddSpec(int BlockStart, string BlockName, TensorShape Skip, bool Projection, int Stride, InitKind Init) : LayerSpec
{
    public override string Describe() => Projection
        ? $"Add the input of {BlockName}, projected: 1x1 conv {I(Skip.C)}->{I(Output.C)}, stride={I(Stride)}"
        : $"Add the input of {BlockName}";
    public override string Fingerprint() => Projection ? $"Add, projection {I(Skip.C)}->{I(Output.C)}, stride={I(Stride)}" : "Add";
    /// <summary>
    /// dx = dy: the input's gradient is the output's gradient buffer itself (no copy). Only a projected Add with nothing
    /// trainable before it gets a gradient buffer of its own, and then no input gradient is needed.
    /// </summary>
    public override bool PassesGradientOn => true;
    /// <summary>Nothing is accumulated into the input gradient, so nothing must clear it (it is the output gradient).</summary>
    public override bool WritesInputGradient => true;
    /// <summary>The ReLU after this layer is applied here (<see cref="Planning.Fusion"/>): forward writes max(sum, 0).</summary>
    public bool ReluFused { get; init; }
    private int WeightCount => Output.C * Skip.C;

    /// <summary>The skip path's input: the output (which is the input) of the block's Residual.</summary>
    private string SkipInput(NetworkSpec network) => network.Layers[BlockStart].Buffers.Out;
    private string SkipInputPredict(NetworkSpec network) => network.Layers[BlockStart].Buffers.PredictOut;

    /// <summary>Whether anything before the block trains, so that the skip path needs a gradient.</summary>
    private bool NeedsSkipGradient(NetworkSpec network) => new PassContext(network, network.Layers[BlockStart]).InputGradient;

    /// <summary>Where the skip path's gradient is: this layer's output gradient itself, or the projection's own buffer.</summary>
    public string SkipGradient => Projection ? $"ws.{Prefix}_dskip" : Buffers.DOut!;

    public override IEnumerable<ParameterSlice> ParameterSlices()
    {
        if (!Projection) yield break;
        yield return new(Prefix + "_w", ParameterOffset, WeightCount, $"({I(Output.C)},{I(Skip.C)},1,1)");
        yield return new(Prefix + "_b", ParameterOffset + WeightCount, Output.C, $"({I(Output.C)})");
    }

    public override void EmitInit(SourceWriter w)
    {
        if (!Projection) return;
        var slices = ParameterSlices().ToList();
        Initialization.EmitWeights(w, Init, slices[0], fanIn: Skip.C, fanOut: Output.C);
        Initialization.EmitZero(w, slices[1]);
    }

    public override IEnumerable<WorkspaceBuffer> ExtraBuffers(bool inputGradient)
    {
        // (the planner's context is per layer; whether the skip needs a gradient is known from the network, so the
        // buffer exists whenever a projection exists: it is small next to the block's activations)
        if (Projection)
            yield return new($"{Prefix}_dskip", Skip.Size, $"gradient of {BlockName}'s input through the projection: {Shape(Skip)}", false);
    }

    private KernelSignature ForwardKernel(string x, string skip, string y, string groups) =>
        new KernelSignature(Name + "_Forward").In("x", x).In("skip", skip)
            .If(Projection, k => k.Floats("w", Prefix + "_w").Floats("b", Prefix + "_b"))
            .Out("y", y).Groups(groups);

    /// <summary>The projection's backward (an identity Add has none: its input gradient is its output gradient).</summary>
    private KernelSignature BackwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Backward").In("dy", ctx.DY!).In("skip", SkipInput(ctx.Network)).Floats("w", Prefix + "_w")
            .If(NeedsSkipGradient(ctx.Network), k => k.Out("dskip", SkipGradient))
            .FloatsOut("dw", Prefix + "_dw").FloatsOut("db", Prefix + "_db")
            .Groups();

    public override void EmitForward(SourceWriter w, PassContext ctx) =>
        w.Line(ForwardKernel(ctx.X, SkipInput(ctx.Network), ctx.Y, "B").Call());

    public override void EmitBackward(SourceWriter w, PassContext ctx)
    {
        if (!Projection)
        {
            w.Line($"// {Name}: {Describe()}: dx = dy in one buffer, which is also the skip path's gradient");
            return;
        }
        w.Line($"// {Name}: {Describe()}: dx = dy in one buffer; the projection's gradients");
        if (NeedsSkipGradient(ctx.Network)) w.Line($"{ArraySlice(SkipGradient, "B * " + I(Skip.Size))}.Clear();");
        w.Line($"var {Prefix}_dw = g.Slice({I(ParameterOffset)}, {I(WeightCount)});");
        w.Line($"var {Prefix}_db = g.Slice({I(ParameterOffset + WeightCount)}, {I(Output.C)});");
        w.Line($"var {Prefix}_w = p.Slice({I(ParameterOffset)}, {I(WeightCount)});");
        w.Line(BackwardKernel(ctx).Call());
    }

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        var x = Output;
        w.Line(Projection
            ? $"// {Name}_Forward: y[oc,oh,ow] = x[oc,oh,ow] + b[oc] + sum over c of w[oc,c] * skip[c, oh*S, ow*S]"
            : $"// {Name}_Forward: y = x + skip");
        if (ReluFused) w.Line($"// then the {ctx.Next.Name} after it, fused: y = max(y, 0)");
        w.Line($"// x {Shape(x)}  skip {Shape(Skip)}{(Projection ? $"  w ({I(Output.C)},{I(Skip.C)},1,1)  b ({I(Output.C)})" : "")}  ->  y {Shape(Output)}");
        w.Line(Hot);
        w.Open(ForwardKernel("", "", "", "").Declaration);
        if (!Projection)
        {
            w.Line($"const int N = {I(Output.Size)};");
            w.Line("for (int i = 0; i < B * N; i++)");
            w.Line($"    y[i] = {ReluOf(ReluFused, "x[i] + skip[i]")};");
        }
        else
        {
            EmitProjectionForward(w);
        }
        w.Close();
        w.Line();

        // dx = dy needs no kernel: the input's gradient buffer is the output's (PassesGradientOn)
        if (!Projection) return;
        bool dskip = NeedsSkipGradient(ctx.Network);
        w.Line($"// {Name}_Backward, the projection (accumulates +=; dx = dy is the same buffer):");
        w.Line("//   dw[oc,c] += sum over samples, oh, ow of dy[oc,oh,ow] * skip[c, oh*S, ow*S];  db[oc] += sum of dy[oc,:,:]");
        if (dskip) w.Line("//   dskip[c, oh*S, ow*S] += sum over oc of w[oc,c] * dy[oc,oh,ow] (dskip cleared before)");
        w.Line(Hot);
        w.Open(BackwardKernel(ctx).Declaration);
        w.Line(Consts());
        w.Open("for (int oc = 0; oc < OC; oc++)");
        w.Line("TLane sum = TLane.Zero;");
        w.Line("for (int bg = 0; bg < B; bg++)");
        w.Line("    for (int o = 0; o < OH * OW; o++)");
        w.Line("        sum += dy[(bg * OC + oc) * (OH * OW) + o];");
        w.Line("db[oc] += TLane.Sum(sum);");
        int m = Block(Skip.C);
        w.Line($"// input channels {I(m)} at a time: {I(m)} independent sums over the positions, each loaded dy shared");
        w.Open($"for (int c = 0; c < C; c += {I(m)})");
        w.Line(string.Join(" ", Enumerable.Range(0, m).Select(j => $"TLane a{I(j)} = TLane.Zero;")));
        w.Line("for (int bg = 0; bg < B; bg++)");
        w.Line("for (int oh = 0; oh < OH; oh++)");
        w.Open("for (int ow = 0; ow < OW; ow++)");
        w.Line("TLane d = dy[((bg * OC + oc) * OH + oh) * OW + ow];");
        w.Line("int si = ((bg * C + c) * H + oh * S) * W + ow * S;");
        for (int j = 0; j < m; j++)
            w.Line($"a{I(j)} = TLane.FusedMultiplyAdd(d, skip[si{Plus(j, "H * W")}], a{I(j)});");
        w.Close();
        for (int j = 0; j < m; j++)
            w.Line($"dw[oc * C + c{Plus(j)}] += TLane.Sum(a{I(j)});");
        w.Close();
        w.Close();
        if (dskip)
        {
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Open("for (int ow = 0; ow < OW; ow++)");
            w.Line("int si = (bg * C * H + oh * S) * W + ow * S;");
            w.Line($"// input channels {I(m)} at a time, summed over the output channels in registers (in the order oc = 0, 1, ...,");
            w.Line("// as one value updated in memory would be), each loaded dy shared");
            w.Open($"for (int c = 0; c < C; c += {I(m)})");
            for (int j = 0; j < m; j++)
                w.Line($"TLane a{I(j)} = dskip[si + {Term("c", j)} * (H * W)];");
            w.Open("for (int oc = 0; oc < OC; oc++)");
            w.Line("TLane d = dy[((bg * OC + oc) * OH + oh) * OW + ow];");
            for (int j = 0; j < m; j++)
                w.Line($"a{I(j)} = TLane.MultiplyAdd(d, w[oc * C + c{Plus(j)}], a{I(j)});");
            w.Close();
            for (int j = 0; j < m; j++)
                w.Line($"dskip[si + {Term("c", j)} * (H * W)] = a{I(j)};");
            w.Close();
            w.Close();
        }
        w.Close();
        w.Line();
    }

    /// <summary>
    /// Output positions per block of the projection's forward with 32 vector registers: with 8 (or 4) output channels
    /// per block, 3 (or 5) positions give 24 (or 20) accumulators, and each broadcast weight serves that many
    /// positions instead of one. 1 (no position block) for narrower channel blocks.
    /// </summary>
    private static int PositionBlock(int channelBlock) => channelBlock == 8 ? 3 : channelBlock == 4 ? 5 : 1;

    /// <summary>
    /// The projection's forward, per sample group over the flattened output positions p = oh * OW + ow: blocks of
    /// positions times channels where 32 registers hold them, then one position at a time. Every output sums its input
    /// channels in the same order in both, so the two forms give the same bits.
    /// </summary>
    private void EmitProjectionForward(SourceWriter w)
    {
        int n = Block(Output.C), q = PositionBlock(n);
        string Acc(int j, int k) => $"a{I(j)}_{I(k)}";
        string Offset(int j, int k) => (j == 0 ? "" : $" + {I(j)} * (OH * OW)") + (k == 0 ? "" : $" + {I(k)}");
        w.Line(Consts());
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("int p = 0;");
        if (q > 1)
        {
            w.Line($"// {I(q)} output positions times {I(n)} output channels at a time: each loaded input serves {I(n)} channels, each");
            w.Line($"// broadcast weight {I(q)} positions ({I(q * n)} accumulators: only where there are 32 vector registers)");
            w.Open("if (global::CnnGen.VectorRegisters.Many)");
            w.Open($"for (; p + {I(q)} <= OH * OW; p += {I(q)})");
            w.Line("// skip[bg, 0, oh*S, ow*S] of each position; channels are H*W apart");
            for (int k = 0; k < q; k++)
            {
                string pk = k == 0 ? "p" : $"(p + {I(k)})";
                w.Line($"int s{I(k)} = (bg * C * H + {pk} / OW * S) * W + {pk} % OW * S;");
            }
            w.Open($"for (int oc = 0; oc < OC; oc += {I(n)})");
            w.Line("int yi = (bg * OC + oc) * (OH * OW) + p;");
            for (int j = 0; j < n; j++)
                w.Line(string.Join(" ", Enumerable.Range(0, q).Select(k => $"TLane {Acc(j, k)} = x[yi{Offset(j, k)}] + TLane.Broadcast(b[oc{Plus(j)}]);")));
            w.Open("for (int c = 0; c < C; c++)");
            w.Line(string.Join(" ", Enumerable.Range(0, q).Select(k => $"TLane v{I(k)} = skip[s{I(k)} + c * (H * W)];")));
            for (int j = 0; j < n; j++)
            {
                w.Line($"TLane w{I(j)} = TLane.Broadcast(w[{Term("oc", j)} * C + c]);");
                w.Line(string.Join(" ", Enumerable.Range(0, q).Select(k => $"{Acc(j, k)} = TLane.FusedMultiplyAdd(v{I(k)}, w{I(j)}, {Acc(j, k)});")));
            }
            w.Close();
            for (int j = 0; j < n; j++)
                w.Line(string.Join(" ", Enumerable.Range(0, q).Select(k => $"y[yi{Offset(j, k)}] = {ReluOf(ReluFused, Acc(j, k))};")));
            w.Close();
            w.Close();
            w.Close();
        }
        w.Open("for (; p < OH * OW; p++)");
        w.Line("int si = (bg * C * H + p / OW * S) * W + p % OW * S;");
        w.Line($"// output channels {I(n)} at a time: {I(n)} independent sums over the input channels, each loaded input shared");
        w.Open($"for (int oc = 0; oc < OC; oc += {I(n)})");
        w.Line("int yi = (bg * OC + oc) * (OH * OW) + p;");
        for (int j = 0; j < n; j++)
            w.Line($"TLane a{I(j)} = x[yi{Plus(j, "OH * OW")}] + TLane.Broadcast(b[oc{Plus(j)}]);");
        w.Open("for (int c = 0; c < C; c++)");
        w.Line("TLane v = skip[si + c * (H * W)];");
        for (int j = 0; j < n; j++)
            w.Line($"a{I(j)} = TLane.MultiplyAdd(v, w[{Term("oc", j)} * C + c], a{I(j)});");
        w.Close();
        for (int j = 0; j < n; j++)
            w.Line($"y[yi{Plus(j, "OH * OW")}] = {ReluOf(ReluFused, $"a{I(j)}")};");
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>Channels handled at once: the largest of 8, 4, 2 and 1 that divides <paramref name="channels"/>.</summary>
    private static int Block(int channels) => channels % 8 == 0 ? 8 : channels % 4 == 0 ? 4 : channels % 2 == 0 ? 2 : 1;

    /// <summary><c>" + j"</c> (or <c>" + j * stride"</c>), nothing for j = 0.</summary>
    private static string Plus(int j, string? stride = null) => j == 0 ? "" : stride is null ? $" + {I(j)}" : $" + {I(j)} * ({stride})";

    /// <summary><c>name</c> for j = 0, else <c>(name + j)</c>: a channel index to multiply.</summary>
    private static string Term(string name, int j) => j == 0 ? name : $"({name}{Plus(j)})";

    private string Consts() =>
        $"const int C = {I(Skip.C)}, H = {I(Skip.H)}, W = {I(Skip.W)}, OC = {I(Output.C)}, S = {I(Stride)}, OH = {I(Output.H)}, OW = {I(Output.W)};";

    /// <summary>
    /// The projection as a 1x1 convolution with output channels in the lanes (<see cref="ChannelLanes"/>) whenever they
    /// fill whole vectors: its few multiply-adds per value would otherwise run at one lane (the batch kernel).
    /// </summary>
    private bool PredictChannelLanes => Projection && ChannelLanes.Fits(Output.C, 1);

    public override IEnumerable<(string Name, long Size, string Comment)> PredictExtraBuffers() =>
        PredictChannelLanes ? ChannelLanes.Buffers(Prefix, Name, WeightCount, Output) : base.PredictExtraBuffers();

    /// <summary>
    /// One sample: a projection whose output channels fill whole vectors runs as a 1x1 convolution of the skip input
    /// with the main path added; otherwise the batch kernel at one sample per value.
    /// </summary>
    public override void EmitPredict(SourceWriter w, PredictContext ctx)
    {
        if (PredictChannelLanes)
        {
            w.Line(ChannelLanes.PackKernel(Name, Prefix, Prefix + "_w").PlainCall);
            w.Line(ChannelLanes.Kernel(Name, Prefix, SkipInputPredict(ctx.Network), true, ctx.X, ctx.Y).Call());
            return;
        }
        w.Line(ForwardKernel(Lane1s(ctx.X, Output.Size), Lane1s(SkipInputPredict(ctx.Network), Skip.Size), Lane1s(ctx.Y, Output.Size), "1")
            .Call("global::CnnGen.Lane1"));
    }

    public override void EmitPredictKernel(SourceWriter w)
    {
        if (!PredictChannelLanes) return;
        ChannelLanes.EmitPack(w, Name, Prefix, Output.C, Skip.C, 1);
        ChannelLanes.EmitKernel(w, Name, Prefix, $"the projection ({Name}_Forward)", Skip, Output, 1, Stride, bias: true, residual: true);
    }
}

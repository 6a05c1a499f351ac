using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Layers;

/// <summary><c>[Dense(units, Bias =)]</c>: fully connected, on flat input.</summary>
internal sealed class DenseKind : LayerKind
{
    public static readonly DenseKind Instance = new();
    private DenseKind() : base("Dense", "Dense") { }
    public override LayerDecl Read(AttributeArgs a) => new DenseDecl(a.Int("units"), a.Bool("Bias", true));
}

internal sealed record DenseDecl(int Units, bool Bias) : LayerDecl
{
    public override LayerKind Kind => DenseKind.Instance;
    public override void Check(SettingsCheck check) => check.Positive("units", Units);

    public override LayerSpec? Infer(InferContext ctx)
    {
        var x = ctx.Input;
        if (!x.IsFlat)
        {
            ctx.Problem(DiagnosticDescriptors.DenseNeedsFlatInput, ctx.Name, "Dense", x.ToString());
            return null;
        }
        long weights = (long)Units * x.C;
        if (ctx.TooLarge("the weight count", weights)) return null;
        int block = ctx.UnrollMode == 2 ? 1 : Math.Min(Units, UnrollPlan.MaxChannelBlock);
        return new DenseSpec(Units, Bias, ctx.Init(), block)
        {
            // the input gradient: inputs in blocks, one accumulator each
            InputBlock = block == 1 ? 1 : Math.Min(x.C, UnrollPlan.MaxChannelBlock),
            Output = TensorShape.Flat(Units),
            ParameterCount = (int)weights + (Bias ? Units : 0),
        };
    }
}

/// <summary>Fully connected layer: blocks of output units, each with its own accumulator.</summary>
internal sealed record DenseSpec(int Units, bool Bias, InitKind Init, int UnitBlock) : LayerSpec
{
    /// <summary>Inputs whose gradients the backward computes together.</summary>
    public int InputBlock { get; init; }

    public override string Describe() => $"Dense {I(Input.C)}->{I(Units)}{(Bias ? "" : ", no bias")}";
    public override string Fingerprint() => $"Dense {I(Input.C)}->{I(Units)}{(Bias ? "" : ", no bias")}";
    public override long Scratch => (long)Input.C + Units;
    /// <summary>Backward sums each input's gradient over the outputs in registers and writes it once.</summary>
    public override bool WritesInputGradient => true;
    private int WeightCount => Units * Input.C;

    public override IEnumerable<ParameterSlice> ParameterSlices()
    {
        yield return new(Prefix + "_w", ParameterOffset, WeightCount, $"({I(Units)},{I(Input.C)})");
        if (Bias) yield return new(Prefix + "_b", ParameterOffset + WeightCount, Units, $"({I(Units)})");
    }

    public override void EmitInit(SourceWriter w)
    {
        var slices = ParameterSlices().ToList();
        Initialization.EmitWeights(w, Init, slices[0], fanIn: Input.C, fanOut: Units);
        if (Bias) Initialization.EmitZero(w, slices[1]);
    }

    private KernelSignature ForwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Forward").In("x", ctx.X).Floats("w", Prefix + "_w")
            .If(Bias, k => k.Floats("b", Prefix + "_b")).Out("y", ctx.Y).Groups();

    private KernelSignature BackwardKernel(PassContext ctx) =>
        new KernelSignature(Name + "_Backward").In("x", ctx.X)
            .If(ctx.InputGradient, k => k.Floats("w", Prefix + "_w"))
            .In("dy", ctx.DY!)
            .If(ctx.InputGradient, k => k.Out("dx", ctx.DX!))
            .FloatsOut("dw", Prefix + "_dw")
            .If(Bias, k => k.FloatsOut("db", Prefix + "_db"))
            .FloatsOut("scratch", "ws.scratch")
            .Groups();

    public override void EmitForward(SourceWriter w, PassContext ctx) => w.Line(ForwardKernel(ctx).Call());

    protected override void EmitBackwardCall(SourceWriter w, PassContext ctx)
    {
        w.Line($"var {Prefix}_dw = g.Slice({I(ParameterOffset)}, {I(WeightCount)});");
        if (Bias) w.Line($"var {Prefix}_db = g.Slice({I(ParameterOffset + WeightCount)}, {I(Units)});");
        if (ctx.InputGradient) w.Line($"var {Prefix}_w = p.Slice({I(ParameterOffset)}, {I(WeightCount)});");
        w.Line(BackwardKernel(ctx).Call());
    }

    private string Consts() => $"const int IN = {I(Input.C)}, OUT = {I(Units)};";

    public override void EmitKernels(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}_Forward: y[o] = {(Bias ? "b[o] + " : "")}sum over i of w[o,i] * x[i]");
        w.Line($"// x {Shape(Input)}  w ({I(Units)},{I(Input.C)}){(Bias ? $"  b ({I(Units)})" : "")}  ->  y {Shape(Output)}");
        w.Line(Hot);
        w.Open(ForwardKernel(ctx).Declaration);
        w.Line(Consts());
        w.Open("for (int bg = 0; bg < B; bg++)");
        w.Line("// seek to x[bg] and y[bg]");
        w.Line("var xb = x.Slice(bg * IN, IN);");
        w.Line("var yb = y.Slice(bg * OUT, OUT);");
        int n = UnitBlock, full = Units / n * n, tail = Units - full;
        ForwardBlock(w, n, "0", tail == 0 ? "OUT" : I(full));
        if (tail > 0) ForwardBlock(w, tail, I(full), "OUT");
        w.Close();
        w.Close();
        w.Line();
        EmitBackwardKernel(w, ctx);
    }

    private void ForwardBlock(SourceWriter w, int n, string from, string to)
    {
        w.Line($"// output units in blocks of {I(n)}, one accumulator each");
        w.Open($"for (int o = {from}; o < {to}; o += {I(n)})");
        for (int j = 0; j < n; j++)
            w.Line(Bias ? $"TLane a{I(j)} = TLane.Broadcast(b[o + {I(j)}]);" : $"TLane a{I(j)} = TLane.Zero;");
        w.Open("for (int i = 0; i < IN; i++)");
        w.Line("TLane v = xb[i];");
        w.Line($"var wk = w.Slice(o * IN + i, {I(n - 1)} * IN + 1); // seek to w[o.., i]");
        for (int j = 0; j < n; j++)
            w.Line($"a{I(j)} = TLane.MultiplyAdd(v, wk[{I(j)} * IN], a{I(j)});");
        w.Close();
        for (int j = 0; j < n; j++)
            w.Line($"yb[o + {I(j)}] = a{I(j)};");
        w.Close();
    }

    private void EmitBackwardKernel(SourceWriter w, PassContext ctx)
    {
        bool dx = ctx.InputGradient;
        w.Line($"// {Name}_Backward (accumulates += into dw{(Bias ? " and db" : "")}{(dx ? "; writes dx" : "")}):");
        w.Line("//   dw[o,i] += sum over samples of dy[o] * x[i]");
        if (Bias) w.Line("//   db[o]   += sum over samples of dy[o]");
        if (dx) w.Line("//   dx[i]    = sum over o of w[o,i] * dy[o]");
        w.Line($"// x {Shape(Input)}  dy {Shape(Output)}  scratch ((IN + OUT) x 64 samples)  ->  dw ({I(Units)},{I(Input.C)}){(Bias ? $"  db ({I(Units)})" : "")}{(dx ? $"  dx {Shape(Input)}" : "")}");
        w.Line(Hot);
        w.Open(BackwardKernel(ctx).Declaration);
        w.Line(Consts());
        if (Bias)
        {
            w.Line("// db");
            w.Open("for (int o = 0; o < OUT; o++)");
            w.Line("TLane acc = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++) acc += dy[bg * OUT + o];");
            w.Line("db[o] += TLane.Sum(acc);");
            w.Close();
        }
        w.Line("// dw: up to 64 samples at a time transposed to [sample][feature], then one rank-64 update (Runtime Kernels)");
        w.Line("global::CnnGen.Kernels.DenseWeightGradient(global::CnnGen.Kernels.AsReadOnlyFloats(dy.Slice(0, B * OUT)), global::CnnGen.Kernels.AsReadOnlyFloats(x.Slice(0, B * IN)), B, TLane.Count, OUT, IN, dw, scratch);");
        if (dx)
        {
            int n = InputBlock, full = Input.C / n * n, tail = Input.C - full;
            w.Line("// dx");
            w.Open("for (int bg = 0; bg < B; bg++)");
            w.Line("var dyb = dy.Slice(bg * OUT, OUT);");
            w.Line("var dxb = dx.Slice(bg * IN, IN);");
            DxBlock(w, n, "0", tail == 0 ? "IN" : I(full));
            if (tail > 0) DxBlock(w, tail, I(full), "IN");
            w.Close();
        }
        w.Close();
        w.Line();
    }

    private static void DxBlock(SourceWriter w, int n, string from, string to)
    {
        w.Line($"// inputs in blocks of {I(n)}, one accumulator each");
        w.Open($"for (int i = {from}; i < {to}; i += {I(n)})");
        for (int j = 0; j < n; j++)
            w.Line($"TLane a{I(j)} = TLane.Zero;");
        w.Open("for (int o = 0; o < OUT; o++)");
        w.Line("TLane g = dyb[o];");
        w.Line($"var wk = w.Slice(o * IN + i, {I(n)}); // seek to w[o, i..]");
        for (int j = 0; j < n; j++)
            w.Line($"a{I(j)} = TLane.MultiplyAdd(g, wk[{I(j)}], a{I(j)});");
        w.Close();
        for (int j = 0; j < n; j++)
            w.Line($"dxb[i + {I(j)}] = a{I(j)};");
        w.Close();
    }

    protected override KernelSignature PredictKernel(string x, string y) =>
        new KernelSignature(Name + "_Predict").Floats("x", x).Floats("w", Prefix + "_w")
            .If(Bias, k => k.Floats("b", Prefix + "_b")).FloatsOut("y", y);

    public override void EmitPredictKernel(SourceWriter w)
    {
        w.Line($"// {Name}_Predict: {Name}_Forward for one sample, each value holding TLane.Count adjacent inputs, four outputs at");
        w.Line("// a time (each loaded input serves four rows of weights)");
        w.Line($"// x ({I(Input.C)})  w ({I(Units)},{I(Input.C)}){(Bias ? $"  b ({I(Units)})" : "")}  ->  y ({I(Units)})");
        w.Line(Hot);
        w.Open(PredictKernel("", "").Declaration);
        w.Line($"const int IN = {I(Input.C)}, OUT = {I(Units)};");
        w.Open("if (IN < TLane.Count)");
        w.Line("// fewer inputs than lanes: one at a time");
        w.Open("for (int u = 0; u < OUT; u++)");
        w.Line($"float sum = {(Bias ? "b[u]" : "0f")};");
        w.Line("for (int i = 0; i < IN; i++)");
        w.Line("    sum = global::System.MathF.FusedMultiplyAdd(w[u * IN + i], x[i], sum);");
        w.Line("y[u] = sum;");
        w.Close();
        w.Line("return;");
        w.Close();
        w.Line("// the inputs after the last whole vector: the vector of the last TLane.Count inputs with the lanes already");
        w.Line("// summed set to 0 (no input is read twice, none past the end)");
        w.Line("int tail = IN % TLane.Count, last = IN - TLane.Count;");
        w.Line("TLane keep = TLane.GreaterThan(TLane.Load(global::CnnGen.Kernels.Ramp, 0), TLane.Broadcast(TLane.Count - tail - 0.5f));");
        w.Line("TLane xt = tail == 0 ? TLane.Zero : TLane.Select(keep, TLane.Load(x, last), TLane.Zero);");
        w.Line("int o = 0;");
        w.Open("for (; o + 4 <= OUT; o += 4)");
        w.Line("// seek to w[o.., :]");
        w.Line("var w0 = w.Slice(o * IN, IN); var w1 = w.Slice((o + 1) * IN, IN); var w2 = w.Slice((o + 2) * IN, IN); var w3 = w.Slice((o + 3) * IN, IN);");
        w.Line("TLane a0 = TLane.Zero, a1 = TLane.Zero, a2 = TLane.Zero, a3 = TLane.Zero;");
        w.Open("for (int i = 0; i + TLane.Count <= IN; i += TLane.Count)");
        w.Line("TLane v = TLane.Load(x, i);");
        w.Line("a0 = TLane.FusedMultiplyAdd(TLane.Load(w0, i), v, a0);");
        w.Line("a1 = TLane.FusedMultiplyAdd(TLane.Load(w1, i), v, a1);");
        w.Line("a2 = TLane.FusedMultiplyAdd(TLane.Load(w2, i), v, a2);");
        w.Line("a3 = TLane.FusedMultiplyAdd(TLane.Load(w3, i), v, a3);");
        w.Close();
        w.Open("if (tail != 0)");
        w.Line("a0 = TLane.FusedMultiplyAdd(TLane.Load(w0, last), xt, a0);");
        w.Line("a1 = TLane.FusedMultiplyAdd(TLane.Load(w1, last), xt, a1);");
        w.Line("a2 = TLane.FusedMultiplyAdd(TLane.Load(w2, last), xt, a2);");
        w.Line("a3 = TLane.FusedMultiplyAdd(TLane.Load(w3, last), xt, a3);");
        w.Close();
        if (Bias)
        {
            w.Line("y[o] = b[o] + TLane.Sum(a0); y[o + 1] = b[o + 1] + TLane.Sum(a1);");
            w.Line("y[o + 2] = b[o + 2] + TLane.Sum(a2); y[o + 3] = b[o + 3] + TLane.Sum(a3);");
        }
        else
        {
            w.Line("y[o] = TLane.Sum(a0); y[o + 1] = TLane.Sum(a1); y[o + 2] = TLane.Sum(a2); y[o + 3] = TLane.Sum(a3);");
        }
        w.Close();
        w.Line("// the last OUT % 4 outputs");
        w.Open("for (; o < OUT; o++)");
        w.Line("var wo = w.Slice(o * IN, IN);");
        w.Line("TLane a = TLane.Zero;");
        w.Line("for (int i = 0; i + TLane.Count <= IN; i += TLane.Count)");
        w.Line("    a = TLane.FusedMultiplyAdd(TLane.Load(wo, i), TLane.Load(x, i), a);");
        w.Line("if (tail != 0) a = TLane.FusedMultiplyAdd(TLane.Load(wo, last), xt, a);");
        w.Line($"y[o] = {(Bias ? "b[o] + " : "")}TLane.Sum(a);");
        w.Close();
        w.Close();
        w.Line();
    }
}

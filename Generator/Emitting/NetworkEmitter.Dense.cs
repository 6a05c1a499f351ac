using System;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>Fully connected layer: blocks of output units, each with its own accumulator.</summary>
    internal static class Dense
    {
        private static string Consts(DenseSpec d) => $"const int IN = {I(d.Input.C)}, OUT = {I(d.Units)};";

        public static void EmitForward(SourceWriter w, DenseSpec d)
        {
            w.Line($"// {d.Name}_Forward: y[o] = {(d.Bias ? "b[o] + " : "")}sum over i of w[o,i] * x[i]");
            w.Line($"// x {Shape(d.Input)}  w ({I(d.Units)},{I(d.Input.C)}){(d.Bias ? $"  b ({I(d.Units)})" : "")}  ->  y {Shape(d.Output)}");
            w.Line(Hot);
            string bias = d.Bias ? $"{RO}<float> b, " : "";
            w.Open($"private static void {d.Name}_Forward<TLane>({RO}<TLane> x, {RO}<float> w, {bias}{SP}<TLane> y, int B) {Where}");
            w.Line(Consts(d));
            w.Open("for (int bg = 0; bg < B; bg++)");
            w.Line("// seek to x[bg] and y[bg]");
            w.Line("var xb = x.Slice(bg * IN, IN);");
            w.Line("var yb = y.Slice(bg * OUT, OUT);");
            int n = d.UnitBlock, full = d.Units / n * n, tail = d.Units - full;
            ForwardBlock(w, d, n, "0", tail == 0 ? "OUT" : I(full));
            if (tail > 0) ForwardBlock(w, d, tail, I(full), "OUT");
            w.Close();
            w.Close();
            w.Line();
        }

        private static void ForwardBlock(SourceWriter w, DenseSpec d, int n, string from, string to)
        {
            w.Line($"// output units in blocks of {I(n)}, one accumulator each");
            w.Open($"for (int o = {from}; o < {to}; o += {I(n)})");
            for (int j = 0; j < n; j++)
                w.Line(d.Bias ? $"TLane a{I(j)} = TLane.Broadcast(b[o + {I(j)}]);" : $"TLane a{I(j)} = TLane.Zero;");
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

        public static void EmitBackward(SourceWriter w, DenseSpec d, bool dx)
        {
            w.Line($"// {d.Name}_Backward (accumulates +=):");
            w.Line("//   dw[o,i] += sum over samples of dy[o] * x[i]");
            if (d.Bias) w.Line("//   db[o]   += sum over samples of dy[o]");
            if (dx) w.Line("//   dx[i]   += sum over o of w[o,i] * dy[o]");
            w.Line($"// x {Shape(d.Input)}  dy {Shape(d.Output)}  scratch ((IN + OUT) x 64 samples)  ->  dw ({I(d.Units)},{I(d.Input.C)}){(d.Bias ? $"  db ({I(d.Units)})" : "")}{(dx ? $"  dx {Shape(d.Input)}" : "")}");
            w.Line(Hot);
            var ps = new System.Collections.Generic.List<string> { $"{RO}<TLane> x" };
            if (dx) ps.Add($"{RO}<float> w");
            ps.Add($"{RO}<TLane> dy");
            if (dx) ps.Add($"{SP}<TLane> dx");
            ps.Add($"{SP}<float> dw");
            if (d.Bias) ps.Add($"{SP}<float> db");
            ps.Add($"{SP}<float> scratch");
            ps.Add("int B");
            w.Open($"private static void {d.Name}_Backward<TLane>({string.Join(", ", ps)}) {Where}");
            w.Line(Consts(d));
            if (d.Bias)
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
                int n = d.UnitBlock == 1 ? 1 : Math.Min(d.Input.C, ShapeBlock), full = d.Input.C / n * n, tail = d.Input.C - full;
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

        private const int ShapeBlock = Parsing.ShapeInference.MaxChannelBlock;

        private static void DxBlock(SourceWriter w, int n, string from, string to)
        {
            w.Line($"// inputs in blocks of {I(n)}, one accumulator each");
            w.Open($"for (int i = {from}; i < {to}; i += {I(n)})");
            for (int j = 0; j < n; j++)
                w.Line($"TLane a{I(j)} = dxb[i + {I(j)}];");
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
    }

    /// <summary>Inverted dropout: the mask (0 or 1/(1-rate)) is drawn in the forward pass from the step's noise seed.</summary>
    internal static class Dropout
    {
        public static void EmitForward(SourceWriter w, DropoutSpec d)
        {
            w.Line($"// {d.Name}_Forward (training): y = x * mask; mask is 0 with probability {d.Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, else 1/(1-rate)");
            w.Line($"// x, mask {Shape(d.Input)}  ->  y {Shape(d.Output)}");
            w.Line(Hot);
            w.Open($"private static void {d.Name}_Forward<TLane>({RO}<TLane> x, {RO}<TLane> mask, {SP}<TLane> y, int B) {Where}");
            w.Line($"const int N = {I(d.Input.Size)};");
            w.Line("for (int i = 0; i < B * N; i++)");
            w.Line("    y[i] = x[i] * mask[i];");
            w.Close();
            w.Line();
        }

        public static void EmitBackward(SourceWriter w, DropoutSpec d)
        {
            w.Line($"// {d.Name}_Backward (writes dx: element-wise): dx = dy * mask");
            w.Line(Hot);
            w.Open($"private static void {d.Name}_Backward<TLane>({RO}<TLane> mask, {RO}<TLane> dy, {SP}<TLane> dx, int B) {Where}");
            w.Line($"const int N = {I(d.Input.Size)};");
            w.Line("for (int i = 0; i < B * N; i++)");
            w.Line("    dx[i] = dy[i] * mask[i];");
            w.Close();
            w.Line();
        }
    }
}

using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>2-D convolution: the kernel window unrolled times a block of output channels.</summary>
    internal static class Conv2D
    {
        private static string Consts(Conv2DSpec c)
        {
            var x = c.Padded;
            return $"const int C = {I(x.C)}, H = {I(x.H)}, W = {I(x.W)}, OC = {I(c.Filters)}, K = {I(c.Kernel)}, S = {I(c.Stride)}, OH = {I(c.Output.H)}, OW = {I(c.Output.W)};";
        }

        private static string Taps(Conv2DSpec c) => $"{I(c.Kernel)}x{I(c.Kernel)} window, taps (0,0)..({I(c.Kernel - 1)},{I(c.Kernel - 1)})";

        public static void EmitForward(SourceWriter w, Conv2DSpec c)
        {
            var x = c.Padded;
            if (c.Padding > 0)
            {
                w.Line($"// {c.Name}_Pad: copy x into the middle of a zero border of {I(c.Padding)} (the border stays 0)");
                w.Line($"// x {Shape(c.Input)}  ->  xpad {Shape(x)}");
                w.Line(Hot);
                w.Open($"private static void {c.Name}_Pad<TLane>({RO}<TLane> x, {SP}<TLane> xpad, int B) {Where}");
                w.Line($"const int C = {I(c.Input.C)}, H = {I(c.Input.H)}, W = {I(c.Input.W)}, P = {I(c.Padding)}, HP = H + 2 * P, WP = W + 2 * P;");
                w.Line("for (int bc = 0; bc < B * C; bc++)");
                w.Line("    for (int h = 0; h < H; h++)");
                w.Line("        x.Slice((bc * H + h) * W, W).CopyTo(xpad.Slice((bc * HP + h + P) * WP + P, W));");
                w.Close();
                w.Line();
            }
            w.Line($"// {c.Name}_Forward: y[oc,oh,ow] = b[oc] + sum over c, kh, kw of w[oc,c,kh,kw] * x[c, oh*S+kh, ow*S+kw]");
            w.Line($"// x {Shape(x)}  w ({I(c.Filters)},{I(x.C)},{I(c.Kernel)},{I(c.Kernel)}){(c.Bias ? $"  b ({I(c.Filters)})" : "")}  ->  y {Shape(c.Output)}");
            w.Line(Hot);
            string bias = c.Bias ? $"{RO}<float> b, " : "";
            w.Open($"private static void {c.Name}_Forward<TLane>({RO}<TLane> x, {RO}<float> w, {bias}{SP}<TLane> y, int B) {Where}");
            w.Line(Consts(c));
            w.Line("const int KK = K * K, CKK = C * KK; // weights per (oc, c) and per oc");
            w.Open("for (int bg = 0; bg < B; bg++)");
            w.Line("// seek to x[bg] and y[bg]");
            w.Line("var xb = x.Slice(bg * (C * H * W), C * H * W);");
            w.Line("var yb = y.Slice(bg * (OC * OH * OW), OC * OH * OW);");
            if (c.Forward.Taps)
            {
                int n = c.Forward.ChannelBlock, full = c.Filters / n * n, tail = c.Filters - full;
                ForwardBlock(w, c, n, "0", tail == 0 ? "OC" : I(full));
                if (tail > 0) ForwardBlock(w, c, tail, I(full), "OC");
            }
            else
            {
                w.Line("// one output channel at a time, the window as loops");
                w.Line("for (int oc = 0; oc < OC; oc++)");
                w.Line("for (int oh = 0; oh < OH; oh++)");
                w.Open("for (int ow = 0; ow < OW; ow++)");
                w.Line(c.Bias ? "TLane acc = TLane.Broadcast(b[oc]);" : "TLane acc = TLane.Zero;");
                w.Line("for (int c = 0; c < C; c++)");
                w.Line("for (int kh = 0; kh < K; kh++)");
                w.Line("for (int kw = 0; kw < K; kw++)");
                w.Line("    acc = TLane.MultiplyAdd(xb[(c * H + oh * S + kh) * W + ow * S + kw], w[oc * CKK + (c * K + kh) * K + kw], acc);");
                w.Line("yb[(oc * OH + oh) * OW + ow] = acc;");
                w.Close();
            }
            w.Close();
            w.Close();
            w.Line();
        }

        /// <summary>Output channels [from, to) in blocks of <paramref name="n"/>, each with its own accumulator.</summary>
        private static void ForwardBlock(SourceWriter w, Conv2DSpec c, int n, string from, string to)
        {
            int k = c.Kernel, p = c.Forward.PositionBlock;
            string A(int j, int q) => p == 1 ? $"a{I(j)}" : $"a{I(j)}_{I(q)}";
            string V(int q) => p == 1 ? "v" : $"v{I(q)}";
            w.Line(p == 1
                ? $"// output channels in blocks of {I(n)}, one accumulator each"
                : $"// output channels in blocks of {I(n)} times {I(p)} adjacent columns, one accumulator each");
            w.Line($"for (int oc = {from}; oc < {to}; oc += {I(n)})");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Open(p == 1 ? "for (int ow = 0; ow < OW; ow++)" : $"for (int ow = 0; ow < OW; ow += {I(p)})");
            w.Line(c.Bias ? "// accumulators start at the bias" : "// accumulators start at 0 (no bias)");
            for (int j = 0; j < n; j++)
                for (int q = 0; q < p; q++)
                    w.Line(c.Bias ? $"TLane {A(j, q)} = TLane.Broadcast(b[oc + {I(j)}]);" : $"TLane {A(j, q)} = TLane.Zero;");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line("// seek to the window x[c, oh*S.., ow*S..] and to w[oc.., c, :, :]; constant indices below need no bounds checks");
            w.Line(p == 1
                ? "var xk = xb.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K);"
                : $"var xk = xb.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K + {I(p - 1)} * S);");
            w.Line($"var wk = w.Slice(oc * CKK + c * KK, {I(n - 1)} * CKK + KK);");
            w.Line($"TLane {string.Join(", ", Enumerable.Range(0, p).Select(V))};");
            w.Line($"// {Taps(c)}, times channels oc..oc+{I(n - 1)}{(p > 1 ? $", times columns ow..ow+{I(p - 1)}" : "")}");
            for (int kh = 0; kh < k; kh++)
                for (int kw = 0; kw < k; kw++)
                {
                    int t = kh * k + kw;
                    for (int q = 0; q < p; q++)
                        w.Line(q == 0 ? $"{V(q)} = xk[{I(kh)} * W + {I(kw)}];" : $"{V(q)} = xk[{I(kh)} * W + {I(kw)} + {I(q)} * S];");
                    for (int j = 0; j < n; j++)
                        for (int q = 0; q < p; q++)
                            w.Line($"{A(j, q)} = TLane.MultiplyAdd({V(q)}, wk[{I(j)} * CKK + {I(t)}], {A(j, q)});");
                }
            w.Close();
            w.Line("// seek to y[oc, oh, ow]");
            w.Line("int yo = (oc * OH + oh) * OW + ow;");
            for (int j = 0; j < n; j++)
                for (int q = 0; q < p; q++)
                    w.Line(q == 0 ? $"yb[yo + {I(j)} * (OH * OW)] = {A(j, q)};" : $"yb[yo + {I(j)} * (OH * OW) + {I(q)}] = {A(j, q)};");
            w.Close();
        }

        public static void EmitBackward(SourceWriter w, Conv2DSpec c, bool dx)
        {
            var x = c.Padded;
            int k = c.Kernel, kk = k * k;
            w.Line($"// {c.Name}_Backward (accumulates +=):");
            w.Line("//   dw[oc,c,kh,kw] += sum over samples, oh, ow of dy[oc,oh,ow] * x[c, oh*S+kh, ow*S+kw]");
            if (c.Bias) w.Line("//   db[oc]         += sum over samples, oh, ow of dy[oc,oh,ow]");
            if (dx) w.Line("//   dx[c, oh*S+kh, ow*S+kw] += sum over oc of w[oc,c,kh,kw] * dy[oc,oh,ow]");
            w.Line($"// x {Shape(x)}  dy {Shape(c.Output)}  ->  dw ({I(c.Filters)},{I(x.C)},{I(k)},{I(k)}){(c.Bias ? $"  db ({I(c.Filters)})" : "")}{(dx ? $"  dx {Shape(x)}" : "")}");
            w.Line(Hot);
            var ps = new System.Collections.Generic.List<string> { $"{RO}<TLane> x" };
            if (dx) ps.Add($"{RO}<float> w");
            ps.Add($"{RO}<TLane> dy");
            if (dx) ps.Add($"{SP}<TLane> dx");
            ps.Add($"{SP}<float> dw");
            if (c.Bias) ps.Add($"{SP}<float> db");
            ps.Add("int B");
            w.Open($"private static void {c.Name}_Backward<TLane>({string.Join(", ", ps)}) {Where}");
            w.Line(Consts(c));
            w.Line("const int KK = K * K, CKK = C * KK;");
            if (c.Bias)
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
            bool unrollDw = c.Backward.Taps && kk <= 32;
            w.Line("// dw: one accumulator per tap of the window, summed over samples and positions");
            w.Line("for (int oc = 0; oc < OC; oc++)");
            w.Open("for (int c = 0; c < C; c++)");
            if (unrollDw)
            {
                for (int t = 0; t < kk; t++) w.Line($"TLane g{I(t)} = TLane.Zero;");
                w.Line("for (int bg = 0; bg < B; bg++)");
                w.Line("for (int oh = 0; oh < OH; oh++)");
                w.Open("for (int ow = 0; ow < OW; ow++)");
                w.Line("// seek to dy[bg, oc, oh, ow] and x[bg, c, oh*S, ow*S]");
                w.Line("TLane d = dy[((bg * OC + oc) * OH + oh) * OW + ow];");
                w.Line("var xk = x.Slice(((bg * C + c) * H + oh * S) * W + ow * S, (K - 1) * W + K);");
                w.Line($"// {Taps(c)}");
                for (int kh = 0; kh < k; kh++)
                    for (int kw = 0; kw < k; kw++)
                        w.Line($"g{I(kh * k + kw)} = TLane.FusedMultiplyAdd(d, xk[{I(kh)} * W + {I(kw)}], g{I(kh * k + kw)});");
                w.Close();
                w.Line("// seek to dw[oc, c, 0, 0]");
                w.Line("int wo = oc * CKK + c * KK;");
                for (int t = 0; t < kk; t++) w.Line($"dw[wo + {I(t)}] += TLane.Sum(g{I(t)});");
            }
            else
            {
                w.Line("for (int kh = 0; kh < K; kh++)");
                w.Open("for (int kw = 0; kw < K; kw++)");
                w.Line("TLane acc = TLane.Zero;");
                w.Line("for (int bg = 0; bg < B; bg++)");
                w.Line("for (int oh = 0; oh < OH; oh++)");
                w.Line("for (int ow = 0; ow < OW; ow++)");
                w.Line("    acc = TLane.FusedMultiplyAdd(dy[((bg * OC + oc) * OH + oh) * OW + ow], x[((bg * C + c) * H + oh * S + kh) * W + ow * S + kw], acc);");
                w.Line("dw[oc * CKK + (c * K + kh) * K + kw] += TLane.Sum(acc);");
                w.Close();
            }
            w.Close();
            if (dx)
            {
                w.Line("// dx: in its own method, so each method stays inside the JIT's inlining budget");
                w.Line($"{c.Name}_BackwardInput<TLane>(w, dy, dx, B);");
            }
            w.Close();
            w.Line();
            if (dx)
            {
                w.Line($"// {c.Name}_BackwardInput (accumulates): dx[c, oh*S+kh, ow*S+kw] += sum over oc of w[oc,c,kh,kw] * dy[oc,oh,ow]");
                w.Line($"// w ({I(c.Filters)},{I(x.C)},{I(k)},{I(k)})  dy {Shape(c.Output)}  ->  dx {Shape(x)}");
                w.Line(Hot);
                w.Open($"private static void {c.Name}_BackwardInput<TLane>({RO}<float> w, {RO}<TLane> dy, {SP}<TLane> dx, int B) {Where}");
                w.Line(Consts(c));
                w.Line("const int KK = K * K, CKK = C * KK;");
                w.Line("// dx: scatter each output gradient back through the window");
                w.Open("for (int bg = 0; bg < B; bg++)");
                w.Line("// seek to dy[bg] and dx[bg]");
                w.Line("var dyb = dy.Slice(bg * (OC * OH * OW), OC * OH * OW);");
                w.Line("var dxb = dx.Slice(bg * (C * H * W), C * H * W);");
                if (c.Backward.Taps)
                {
                    int n = c.Backward.ChannelBlock, full = c.Filters / n * n, tail = c.Filters - full;
                    DxBlock(w, c, n, "0", tail == 0 ? "OC" : I(full));
                    if (tail > 0) DxBlock(w, c, tail, I(full), "OC");
                }
                else
                {
                    w.Line("for (int oc = 0; oc < OC; oc++)");
                    w.Line("for (int oh = 0; oh < OH; oh++)");
                    w.Open("for (int ow = 0; ow < OW; ow++)");
                    w.Line("TLane d = dyb[(oc * OH + oh) * OW + ow];");
                    w.Line("for (int c = 0; c < C; c++)");
                    w.Line("for (int kh = 0; kh < K; kh++)");
                    w.Open("for (int kw = 0; kw < K; kw++)");
                    w.Line("int xi = (c * H + oh * S + kh) * W + ow * S + kw;");
                    w.Line("dxb[xi] = TLane.MultiplyAdd(d, w[oc * CKK + (c * K + kh) * K + kw], dxb[xi]);");
                    w.Close();
                    w.Close();
                }
                w.Close();
                w.Close();
                w.Line();
            }
            if (dx && c.Padding > 0)
            {
                w.Line($"// {c.Name}_Unpad: dx += the middle of dxpad (the border's gradient belongs to no input)");
                w.Line($"// dxpad {Shape(x)}  ->  dx {Shape(c.Input)}");
                w.Line(Hot);
                w.Open($"private static void {c.Name}_Unpad<TLane>({RO}<TLane> dxpad, {SP}<TLane> dx, int B) {Where}");
                w.Line($"const int C = {I(c.Input.C)}, H = {I(c.Input.H)}, W = {I(c.Input.W)}, P = {I(c.Padding)}, HP = H + 2 * P, WP = W + 2 * P;");
                w.Line("for (int bc = 0; bc < B * C; bc++)");
                w.Line("    for (int h = 0; h < H; h++)");
                w.Line("        for (int i = 0; i < W; i++)");
                w.Line("            dx[(bc * H + h) * W + i] += dxpad[(bc * HP + h + P) * WP + P + i];");
                w.Close();
                w.Line();
            }
        }

        private static void DxBlock(SourceWriter w, Conv2DSpec c, int n, string from, string to)
        {
            int k = c.Kernel;
            w.Line($"// output channels in blocks of {I(n)}");
            w.Line($"for (int oc = {from}; oc < {to}; oc += {I(n)})");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Open("for (int ow = 0; ow < OW; ow++)");
            w.Line("// gradients of channels oc.. at (oh, ow)");
            w.Line("int yo = (oc * OH + oh) * OW + ow;");
            for (int j = 0; j < n; j++)
                w.Line($"TLane d{I(j)} = dyb[yo + {I(j)} * (OH * OW)];");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line("// seek to the window dx[c, oh*S.., ow*S..] and to w[oc.., c, :, :]");
            w.Line("var dxk = dxb.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K);");
            w.Line($"var wk = w.Slice(oc * CKK + c * KK, {I(n - 1)} * CKK + KK);");
            // Taps in groups, each tap with its own accumulator: the FMAs of one channel go to independent
            // registers instead of one dependent chain per tap.
            int taps = k * k, group = TapGroup(taps, n);
            var names = new System.Collections.Generic.List<string>();
            for (int g = 0; g < group; g++) names.Add("t" + I(g));
            w.Line($"TLane {string.Join(", ", names)};");
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

        /// <summary>Taps accumulated at once: enough independent chains to hide FMA latency, within 28 registers.</summary>
        private static int TapGroup(int taps, int channels) => System.Math.Max(1, System.Math.Min(taps, System.Math.Min(13, 28 - channels)));
    }
}

using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>Max pooling; backward sends each gradient to the first maximum of its window, in row-major order.</summary>
    internal static class MaxPool
    {
        /// <summary>Opens the loops over channel planes and output positions, with <c>xo</c> at the window's first tap.</summary>
        internal static void OpenWindows(SourceWriter w)
        {
            w.Line("for (int bc = 0; bc < B * C; bc++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            w.Open("for (int ow = 0; ow < OW; ow++)");
            w.Line("// seek to x[bc, oh*S, ow*S]");
            w.Line("int xo = (bc * H + oh * S) * W + ow * S;");
        }

        /// <summary>One statement per tap of the window (<paramref name="statement"/> of the tap's index): written out, or as loops.</summary>
        internal static void EachTap(SourceWriter w, PoolSpec p, System.Func<string, string> statement)
        {
            if (p.Unrolled)
            {
                for (int kh = 0; kh < p.Size; kh++)
                    for (int kw = 0; kw < p.Size; kw++)
                        w.Line(statement($"xo + ({I(kh)} * W + {I(kw)})"));
                return;
            }
            w.Line("for (int kh = 0; kh < K; kh++)");
            w.Line("for (int kw = 0; kw < K; kw++)");
            w.Line("    " + statement("xo + kh * W + kw"));
        }

        /// <summary>How backward stores into dx: <c>=</c> when the windows tile the input, else <c>+=</c> into a cleared buffer.</summary>
        internal static string Op(PoolSpec p) => p.WritesInputGradient ? "=" : "+=";

        internal static string Consts(PoolSpec p, bool withK = true) =>
            $"const int C = {I(p.Input.C)}, H = {I(p.Input.H)}, W = {I(p.Input.W)}, {(withK ? $"K = {I(p.Size)}, " : "")}S = {I(p.Stride)}, OH = {I(p.Output.H)}, OW = {I(p.Output.W)};";

        public static void EmitForward(SourceWriter w, PoolSpec p)
        {
            int k = p.Size;
            w.Line(p.ReluFused
                ? $"// {p.Name}_Forward: y[c,oh,ow] = max(0, max over kh, kw of x[c, oh*S+kh, ow*S+kw]): the ReLU before it, fused"
                : $"// {p.Name}_Forward: y[c,oh,ow] = max over kh, kw of x[c, oh*S+kh, ow*S+kw]");
            w.Line($"// x {Shape(p.Input)}  ->  y {Shape(p.Output)}");
            w.Line(Hot);
            w.Open($"private static void {p.Name}_Forward<TLane>({RO}<TLane> x, {SP}<TLane> y, int B) {Where}");
            w.Line(Consts(p, withK: !p.Unrolled));
            OpenWindows(w);
            if (p.Unrolled)
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
            if (p.ReluFused) w.Line("m = TLane.Max(m, TLane.Zero); // the fused ReLU");
            w.Line("y[(bc * OH + oh) * OW + ow] = m;");
            w.Close();
            w.Close();
            w.Line();
        }

        public static void EmitBackward(SourceWriter w, PoolSpec p)
        {
            int k = p.Size;
            w.Line(p.WritesInputGradient
                ? $"// {p.Name}_Backward (writes dx: the windows tile x): dx[first argmax of each window] = dy, 0 elsewhere; ties go to the first in row-major order"
                : $"// {p.Name}_Backward (accumulates): dx[first argmax of each window] += dy; ties go to the first in row-major order");
            w.Line($"// x {Shape(p.Input)}  y, dy {Shape(p.Output)}  ->  dx {Shape(p.Input)}");
            w.Line(Hot);
            w.Open($"private static void {p.Name}_Backward<TLane>({RO}<TLane> x, {RO}<TLane> y, {RO}<TLane> dy, {SP}<TLane> dx, int B) {Where}");
            w.Line(Consts(p, withK: !p.Unrolled));
            OpenWindows(w);
            w.Line("int yo = (bc * OH + oh) * OW + ow;");
            if (p.ReluFused)
            {
                w.Line("// the fused ReLU passes a gradient only where the window's maximum is above 0 (then it is the x that wins)");
                w.Line("TLane m = y[yo], g = TLane.And(TLane.GreaterThan(m, TLane.Zero), dy[yo]);");
            }
            else
                w.Line("TLane m = y[yo], g = dy[yo];");
            w.Line("// per lane: 'found' is set once the first maximum has taken the gradient");
            w.Line("TLane found = TLane.Zero, hit;");
            if (p.Unrolled)
            {
                for (int kh = 0; kh < k; kh++)
                    for (int kw = 0; kw < k; kw++)
                    {
                        string at = $"xo + ({I(kh)} * W + {I(kw)})";
                        w.Line($"hit = TLane.AndNot(TLane.Equal(x[{at}], m), found);");
                        w.Line($"dx[{at}] {Op(p)} TLane.And(hit, g);");
                        if (kh != k - 1 || kw != k - 1) w.Line("found = TLane.Or(found, hit);");
                    }
            }
            else
            {
                w.Line("for (int kh = 0; kh < K; kh++)");
                w.Open("for (int kw = 0; kw < K; kw++)");
                w.Line("int xi = xo + kh * W + kw;");
                w.Line("hit = TLane.AndNot(TLane.Equal(x[xi], m), found);");
                w.Line($"dx[xi] {Op(p)} TLane.And(hit, g);");
                w.Line("found = TLane.Or(found, hit);");
                w.Close();
            }
            w.Close();
            w.Close();
            w.Line();
        }
    }

    /// <summary>Average pooling over a square window.</summary>
    internal static class AvgPool
    {
        public static void EmitForward(SourceWriter w, PoolSpec p)
        {
            w.Line($"// {p.Name}_Forward: y[c,oh,ow] = mean over kh, kw of x[c, oh*S+kh, ow*S+kw]");
            w.Line($"// x {Shape(p.Input)}  ->  y {Shape(p.Output)}");
            w.Line(Hot);
            w.Open($"private static void {p.Name}_Forward<TLane>({RO}<TLane> x, {SP}<TLane> y, int B) {Where}");
            w.Line(MaxPool.Consts(p));
            w.Line("TLane scale = TLane.Broadcast(1f / (K * K));");
            MaxPool.OpenWindows(w);
            w.Line("TLane sum = TLane.Zero;");
            MaxPool.EachTap(w, p, at => $"sum += x[{at}];");
            w.Line("y[(bc * OH + oh) * OW + ow] = sum * scale;");
            w.Close();
            w.Close();
            w.Line();
        }

        public static void EmitBackward(SourceWriter w, PoolSpec p)
        {
            w.Line(p.WritesInputGradient
                ? $"// {p.Name}_Backward (writes dx: the windows tile x): every x of the window gets dy / (K*K)"
                : $"// {p.Name}_Backward (accumulates): every x of the window gets dy / (K*K)");
            w.Line($"// dy {Shape(p.Output)}  ->  dx {Shape(p.Input)}");
            w.Line(Hot);
            w.Open($"private static void {p.Name}_Backward<TLane>({RO}<TLane> x, {RO}<TLane> y, {RO}<TLane> dy, {SP}<TLane> dx, int B) {Where}");
            w.Line(MaxPool.Consts(p));
            w.Line("TLane scale = TLane.Broadcast(1f / (K * K));");
            MaxPool.OpenWindows(w);
            w.Line("TLane g = dy[(bc * OH + oh) * OW + ow] * scale;");
            MaxPool.EachTap(w, p, at => $"dx[{at}] {MaxPool.Op(p)} g;");
            w.Close();
            w.Close();
            w.Line();
        }
    }

    /// <summary>Flatten: the lanes layout of (C,H,W) is already the flat vector, so it emits no code.</summary>
    internal static class Flatten
    {
        public static void EmitForward(SourceWriter w, FlattenSpec f) =>
            w.Line($"// {f.Name}_Forward: none. {Shape(f.Input)} and {Shape(f.Output)} share one buffer.");

        public static void EmitBackward(SourceWriter w, FlattenSpec f) =>
            w.Line($"// {f.Name}_Backward: none. The gradient buffers are shared too.");
    }

    /// <summary>Softmax fused with cross-entropy: the numerics live in the Runtime's <c>Kernels</c>.</summary>
    internal static class Softmax
    {
        public static void EmitForward(SourceWriter w, SoftmaxSpec s) =>
            w.Line($"// {s.Name}_Forward: p = softmax(logits {Shape(s.Input)}), computed by global::CnnGen.Kernels.Softmax in Infer.");

        public static void EmitBackward(SourceWriter w, SoftmaxSpec s) =>
            w.Line($"// {s.Name}_Backward: dlogits = p - onehot(label), fused with the loss in global::CnnGen.Kernels.SoftmaxCrossEntropy.");
    }
}

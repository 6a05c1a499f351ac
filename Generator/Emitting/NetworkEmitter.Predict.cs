using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// Single-sample prediction: the batch kernels keep samples in the lanes, which leaves all but one lane idle for
    /// one sample. These kernels hold one sample as plain floats and put adjacent positions (output columns, dense
    /// inputs) in the lanes instead: <c>_Predict</c> methods for convolution, pooling, activations and dense layers;
    /// the other layers reuse their batch kernel with <c>Lane1</c>.
    /// </summary>
    internal static class Predict
    {
        /// <summary>Which single-sample buffer holds each layer's input and output.</summary>
        internal sealed class Plan
        {
            private readonly NetworkSpec _spec;
            private readonly string[] _out;

            public Plan(NetworkSpec spec)
            {
                _spec = spec;
                _out = new string[spec.Layers.Count];
                for (int i = 0; i < _out.Length; i++)
                    _out[i] = HasOwnOutput(spec.Layers[i]) ? $"ws.{spec.Layers[i].Prefix}_out" : In(i);
            }

            public string In(int i) => i == 0 ? "ws.input" : _out[i - 1];
            public string Out(int i) => _out[i];

            /// <summary>Flatten, Dropout (the identity in inference) and Softmax (applied at the end) pass their input on.</summary>
            private static bool HasOwnOutput(LayerSpec l) => l.Kind is not (LayerKind.Flatten or LayerKind.Softmax or LayerKind.Dropout);

            /// <summary>
            /// Values after each buffer that whole vectors may read or write: a run of 16 columns reads up to
            /// 16 x stride values past the last window, and the last run of 16 stores up to 15 past the end.
            /// </summary>
            public int Slack => 16 * Math.Max(1, _spec.Layers.Select(l => l switch { Conv2DSpec c => c.Stride, PoolSpec p => p.Stride, _ => 1 }).DefaultIfEmpty(1).Max());

            public IEnumerable<(string Name, long Size, string Comment)> Buffers()
            {
                yield return ("input", _spec.Input.Size, $"the sample: {Plain(_spec.Input)}");
                foreach (var l in _spec.Layers)
                {
                    if (l is Conv2DSpec { Padding: > 0 } c)
                        yield return ($"{l.Prefix}_xpad", c.Padded.Size, $"{l.Name}'s input inside a zero border of {I(c.Padding)}: {Plain(c.Padded)}");
                    if (HasOwnOutput(l))
                        yield return ($"{l.Prefix}_out", l.Output.Size, $"{l.Name} output: {Plain(l.Output)}");
                }
            }
        }

        /// <summary>The single-sample buffers, <c>Predict</c> (widest accelerated lanes), <c>Predict&lt;TLane&gt;</c> and <c>Classify</c>.</summary>
        public static void EmitEntryPoints(SourceWriter w, NetworkSpec spec)
        {
            var plan = new Plan(spec);
            w.Line("/// <summary>");
            w.Line("/// One sample's activations for <see cref=\"Predict{TLane}\"/>: plain floats in (C, H, W) order, each buffer");
            w.Line("/// followed by <c>Slack</c> spare values so that whole vectors may run past its last position.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            w.Open("private sealed class SingleSample");
            w.Line($"public const int Slack = {I(plan.Slack)};");
            foreach (var b in plan.Buffers())
            {
                w.Line($"/// <summary>{b.Comment}</summary>");
                w.Line($"public readonly float[] {b.Name} = new float[{I(b.Size)} + Slack];");
            }
            w.Close();
            w.Line();
            w.Line("// One sample's scratch per thread (it holds no weights): Predict and Classify may run on many threads at once");
            w.Line("// on one instance, as long as its parameters do not change meanwhile.");
            w.Line("[global::System.ThreadStatic] private static SingleSample? t_single;");
            w.Line("[global::System.ThreadStatic] private static Workspace<global::CnnGen.Lane1>? t_scalar;");
            w.Line();
            string shape = Plain(spec.Input);
            w.Line("/// <summary>");
            w.Line("/// Class probabilities for one sample of <see cref=\"InputSize\"/> values (C, H, W order): <see cref=\"Predict{TLane}\"/>");
            w.Line("/// with the widest lanes the CPU accelerates (<see cref=\"global::CnnGen.NetworkWorkspace.PreferredLanes\"/>), or without");
            w.Line("/// SIMD the batch kernels at one sample per value. Thread-safe: every thread has its own scratch; do not train this");
            w.Line("/// instance meanwhile.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            w.Open($"public void Predict({RO}<float> image, {SP}<float> probabilities)");
            w.Open("switch (global::CnnGen.NetworkWorkspace.PreferredLanes)");
            w.Line("case 16: Predict<global::CnnGen.Lane16>(image, probabilities); break;");
            w.Line("case 8: Predict<global::CnnGen.Lane8>(image, probabilities); break;");
            w.Line("case 4: Predict<global::CnnGen.Lane4>(image, probabilities); break;");
            w.Line("default:");
            w.Line("    // without SIMD, the batch kernels at one sample per value beat adjacent positions in lanes of width 1");
            w.Line("    CheckImage(image);");
            w.Line("    Infer(t_scalar ??= new Workspace<global::CnnGen.Lane1>(1), image, 1, probabilities);");
            w.Line("    break;");
            w.Close();
            w.Close();
            w.Line();
            w.Line("private static void CheckImage(" + RO + "<float> image)");
            w.Open();
            w.Line("if (image.Length != InputSize)");
            w.Line($"    throw new global::System.ArgumentException($\"{spec.ClassName} takes {{InputSize}} values per sample {shape}, not {{image.Length}}.\", nameof(image));");
            w.Close();
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Class probabilities for one sample, each value of <typeparamref name=\"TLane\"/> holding adjacent positions of it");
            w.Line("/// (output columns, dense inputs). Every width computes the same function; sums may round differently. Thread-safe");
            w.Line("/// like the Predict without a lane type.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            w.Open($"public void Predict<TLane>({RO}<float> image, {SP}<float> probabilities) {Where}");
            w.Line("CheckImage(image);");
            w.Line("var ws = t_single ??= new SingleSample();");
            w.Line($"{RO}<float> p = Parameters;");
            if (spec.StateCount > 0) w.Line($"{RO}<float> s = State;");
            w.Line("image.CopyTo(ws.input);");
            foreach (var l in spec.Layers)
            {
                int i = l.Index;
                string x = plan.In(i), y = plan.Out(i);
                LayerPreamble(w, l);
                switch (l)
                {
                    case Conv2DSpec c:
                        string input = x;
                        if (c.Padding > 0)
                        {
                            w.Line($"{c.Name}_Pad<global::CnnGen.Lane1>({Lane1s(x, c.Input.Size)}, {Lane1s($"ws.{c.Prefix}_xpad", c.Padded.Size)}, 1);");
                            input = $"ws.{c.Prefix}_xpad";
                        }
                        w.Line($"{c.Name}_Predict<TLane>({input}, {c.Prefix}_w, {(c.Bias ? c.Prefix + "_b, " : "")}{y});");
                        break;
                    case DenseSpec d:
                        w.Line($"{d.Name}_Predict<TLane>({x}, {d.Prefix}_w, {(d.Bias ? d.Prefix + "_b, " : "")}{y});");
                        break;
                    case FlattenSpec:
                        w.Line("// (C, H, W) order is already flat: no copy.");
                        break;
                    case DropoutSpec:
                        w.Line("// the identity in inference: no copy.");
                        break;
                    case SoftmaxSpec:
                        w.Line($"global::CnnGen.Kernels.Softmax({Floats(x, "OutputSize")}, 1, 1, OutputSize, probabilities);");
                        break;
                    case BatchNormSpec b:
                        w.Line($"{b.Name}_Infer<global::CnnGen.Lane1>({Lane1s(x, b.Input.Size)}, {b.Prefix}_gamma, {b.Prefix}_beta, s.Slice({I(b.StateOffset)}, {I(b.Input.C)}), s.Slice({I(b.StateOffset + b.Input.C)}, {I(b.Input.C)}), {Lane1s(y, b.Output.Size)}, 1);");
                        break;
                    default:
                        w.Line($"{l.Name}_Predict<TLane>({x}, {y});");
                        break;
                }
            }
            w.Close();
            w.Line();
            w.Line("/// <summary>The most probable class of one sample (the first on ties). Thread-safe like Predict.</summary>");
            w.Line(GeneratedCode);
            w.Open($"public int Classify({RO}<float> image)");
            w.Line(spec.OutputSize <= 1024 ? $"{SP}<float> p = stackalloc float[OutputSize];" : $"{SP}<float> p = new float[OutputSize];");
            w.Line("Predict(image, p);");
            w.Line("int best = 0;");
            w.Line("for (int k = 1; k < OutputSize; k++) if (p[k] > p[best]) best = k;");
            w.Line("return best;");
            w.Close();
            w.Line();
        }

        /// <summary>The first <paramref name="size"/> floats of a single-sample buffer as one-sample lanes, for a batch kernel.</summary>
        private static string Lane1s(string buffer, long size) => $"global::CnnGen.Kernels.AsLanes<global::CnnGen.Lane1>({Floats(buffer, I(size))})";

        /// <summary>The first <paramref name="size"/> floats of a single-sample buffer.</summary>
        private static string Floats(string buffer, string size) => $"new {SP}<float>({buffer}, 0, {size})";

        /// <summary>The layer's <c>_Predict</c> kernel, if it has one (layers without one reuse their batch kernel).</summary>
        public static void EmitLayer(SourceWriter w, LayerSpec layer)
        {
            switch (layer)
            {
                case Conv2DSpec c: EmitConv(w, c); break;
                case ActivationSpec a: EmitActivation(w, a); break;
                case PoolSpec p: EmitPool(w, p); break;
                case DenseSpec d: EmitDense(w, d); break;
            }
        }

        private static string Plain(TensorShape s) => Shape(s).Replace("(B,", "(");

        /// <summary>Opens the loop over runs of TLane.Count output columns of one output row.</summary>
        private static void OpenRuns(SourceWriter w) => w.Open("for (int ow = 0; ow < OW; ow += TLane.Count)");

        /// <summary>Stores each (value, offset): whole when the run fits in the row, else only its first OW - ow lanes.</summary>
        private static void StoreRun(SourceWriter w, IReadOnlyList<(string Value, string Offset)> stores)
        {
            w.Open("if (ow + TLane.Count <= OW)");
            foreach (var (value, offset) in stores) w.Line($"TLane.Store({value}, y, {offset});");
            w.Close();
            w.Line("else // the row's last run: only OW - ow columns exist");
            w.Open();
            foreach (var (value, offset) in stores) w.Line($"TLane.StoreFirst({value}, y, {offset}, OW - ow);");
            w.Close();
        }

        private static void EmitConv(SourceWriter w, Conv2DSpec c)
        {
            var x = c.Padded;
            int k = c.Kernel;
            w.Line($"// {c.Name}_Predict: {c.Name}_Forward for one sample, each value holding TLane.Count adjacent output columns");
            w.Line($"// x {Plain(x)}  w ({I(c.Filters)},{I(x.C)},{I(k)},{I(k)}){(c.Bias ? $"  b ({I(c.Filters)})" : "")}  ->  y {Plain(c.Output)}, floats with slack");
            w.Line(Hot);
            string bias = c.Bias ? $"{RO}<float> b, " : "";
            w.Open($"private static void {c.Name}_Predict<TLane>({RO}<float> x, {RO}<float> w, {bias}{SP}<float> y) {Where}");
            w.Line($"const int C = {I(x.C)}, H = {I(x.H)}, W = {I(x.W)}, OC = {I(c.Filters)}, K = {I(k)}, S = {I(c.Stride)}, OH = {I(c.Output.H)}, OW = {I(c.Output.W)};");
            w.Line("const int KK = K * K, CKK = C * KK; // weights per (oc, c) and per oc");
            if (!c.Predict.Taps)
            {
                w.Line("// one output channel at a time, the window as loops");
                w.Line("for (int oc = 0; oc < OC; oc++)");
                w.Line("for (int oh = 0; oh < OH; oh++)");
                OpenRuns(w);
                w.Line(c.Bias ? "TLane acc = TLane.Broadcast(b[oc]);" : "TLane acc = TLane.Zero;");
                w.Line("for (int c = 0; c < C; c++)");
                w.Line("for (int kh = 0; kh < K; kh++)");
                w.Line("for (int kw = 0; kw < K; kw++)");
                w.Line("    acc = TLane.MultiplyAdd(TLane.LoadStrided(x, (c * H + oh * S + kh) * W + ow * S + kw, S), w[oc * CKK + (c * K + kh) * K + kw], acc);");
                StoreRun(w, new[] { ("acc", "(oc * OH + oh) * OW + ow") });
                w.Close();
            }
            else
            {
                int n = c.Predict.ChannelBlock, full = c.Filters / n * n, tail = c.Filters - full;
                ConvBlock(w, c, n, "0", tail == 0 ? "OC" : I(full));
                if (tail > 0) ConvBlock(w, c, tail, I(full), "OC");
            }
            w.Close();
            w.Line();
        }

        /// <summary>Output channels [from, to) in blocks of <paramref name="n"/>; one vector load per tap serves the block.</summary>
        private static void ConvBlock(SourceWriter w, Conv2DSpec c, int n, string from, string to)
        {
            int k = c.Kernel;
            w.Line($"// output channels in blocks of {I(n)}, one accumulator each");
            w.Line($"for (int oc = {from}; oc < {to}; oc += {I(n)})");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            OpenRuns(w);
            w.Line(c.Bias ? "// accumulators start at the bias" : "// accumulators start at 0 (no bias)");
            for (int j = 0; j < n; j++)
                w.Line(c.Bias ? $"TLane a{I(j)} = TLane.Broadcast(b[oc + {I(j)}]);" : $"TLane a{I(j)} = TLane.Zero;");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line("// seek to the windows x[c, oh*S.., ow*S..] of TLane.Count columns and to w[oc.., c, :, :]");
            w.Line("var xk = x.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K - 1 + S * TLane.Count);");
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
            StoreRun(w, Enumerable.Range(0, n).Select(j => ($"a{I(j)}", j == 0 ? "yo" : $"yo + {I(j)} * (OH * OW)")).ToList());
            w.Close();
        }

        private static void EmitPool(SourceWriter w, PoolSpec p)
        {
            bool max = p.Kind == LayerKind.MaxPool;
            w.Line($"// {p.Name}_Predict: {p.Name}_Forward for one sample, each value holding TLane.Count adjacent output columns");
            w.Line($"// x {Plain(p.Input)}  ->  y {Plain(p.Output)}, floats with slack");
            w.Line(Hot);
            w.Open($"private static void {p.Name}_Predict<TLane>({RO}<float> x, {SP}<float> y) {Where}");
            w.Line(MaxPool.Consts(p));
            if (!max) w.Line("TLane scale = TLane.Broadcast(1f / (K * K));");
            w.Line("for (int c = 0; c < C; c++)");
            w.Line("for (int oh = 0; oh < OH; oh++)");
            OpenRuns(w);
            w.Line("// seek to the windows x[c, oh*S.., ow*S..] of TLane.Count columns");
            w.Line("var xk = x.Slice((c * H + oh * S) * W + ow * S, (K - 1) * W + K - 1 + S * TLane.Count);");
            string Tap(string at) => $"TLane.LoadStrided(xk, {at}, S)";
            w.Line(max ? $"TLane m = {Tap("0")};" : "TLane sum = TLane.Zero;");
            if (p.Unrolled)
            {
                for (int kh = 0; kh < p.Size; kh++)
                    for (int kw = 0; kw < p.Size; kw++)
                        if (!max || kh + kw > 0)
                            w.Line(max ? $"m = TLane.Max(m, {Tap($"{I(kh)} * W + {I(kw)}")});" : $"sum += {Tap($"{I(kh)} * W + {I(kw)}")};");
            }
            else
            {
                w.Line("for (int kh = 0; kh < K; kh++)");
                w.Line("for (int kw = 0; kw < K; kw++)");
                w.Line(max ? $"    m = TLane.Max(m, {Tap("kh * W + kw")});" : $"    sum += {Tap("kh * W + kw")};");
            }
            StoreRun(w, new[] { (max ? "m" : "sum * scale", "(c * OH + oh) * OW + ow") });
            w.Close();
            w.Close();
            w.Line();
        }

        private static void EmitActivation(SourceWriter w, ActivationSpec a)
        {
            w.Line($"// {a.Name}_Predict: {a.Name}_Forward for one sample, TLane.Count values at a time (the last run may spill into the slack)");
            w.Line($"// x {Plain(a.Input)}  ->  y {Plain(a.Output)}, floats with slack");
            w.Line(Hot);
            w.Open($"private static void {a.Name}_Predict<TLane>({RO}<float> x, {SP}<float> y) {Where}");
            w.Line($"const int N = {I(a.Input.Size)};");
            string? constants = Activation.Constants(a);
            if (constants is not null) w.Line(constants);
            w.Open("for (int i = 0; i < N; i += TLane.Count)");
            w.Line("TLane v = TLane.Load(x, i);");
            w.Line($"TLane.Store({Activation.Expression(a, "v")}, y, i);");
            w.Close();
            w.Close();
            w.Line();
        }

        private static void EmitDense(SourceWriter w, DenseSpec d)
        {
            w.Line($"// {d.Name}_Predict: {d.Name}_Forward for one sample, each value holding TLane.Count adjacent inputs");
            w.Line($"// x ({I(d.Input.C)})  w ({I(d.Units)},{I(d.Input.C)}){(d.Bias ? $"  b ({I(d.Units)})" : "")}  ->  y ({I(d.Units)})");
            w.Line(Hot);
            string bias = d.Bias ? $"{RO}<float> b, " : "";
            w.Open($"private static void {d.Name}_Predict<TLane>({RO}<float> x, {RO}<float> w, {bias}{SP}<float> y) {Where}");
            w.Line($"const int IN = {I(d.Input.C)}, OUT = {I(d.Units)};");
            w.Open("for (int o = 0; o < OUT; o++)");
            w.Line("// seek to w[o, :]");
            w.Line("var wo = w.Slice(o * IN, IN);");
            w.Line("// two accumulators over whole values of inputs, then the inputs left over one at a time");
            w.Line("TLane a0 = TLane.Zero, a1 = TLane.Zero;");
            w.Line("int i = 0;");
            w.Open("for (; i + 2 * TLane.Count <= IN; i += 2 * TLane.Count)");
            w.Line("a0 = TLane.FusedMultiplyAdd(TLane.Load(wo, i), TLane.Load(x, i), a0);");
            w.Line("a1 = TLane.FusedMultiplyAdd(TLane.Load(wo, i + TLane.Count), TLane.Load(x, i + TLane.Count), a1);");
            w.Close();
            w.Open("if (i + TLane.Count <= IN)");
            w.Line("a0 = TLane.FusedMultiplyAdd(TLane.Load(wo, i), TLane.Load(x, i), a0);");
            w.Line("i += TLane.Count;");
            w.Close();
            w.Line($"float sum = {(d.Bias ? "b[o] + " : "")}TLane.Sum(a0 + a1);");
            w.Line("for (; i < IN; i++)");
            w.Line("    sum = global::System.MathF.FusedMultiplyAdd(wo[i], x[i], sum);");
            w.Line("y[o] = sum;");
            w.Close();
            w.Close();
            w.Line();
        }
    }
}

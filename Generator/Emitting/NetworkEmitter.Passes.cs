using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>Which workspace buffer holds each layer's input, output and their gradients.</summary>
    internal sealed class BufferPlan
    {
        private readonly NetworkSpec _spec;
        private readonly string[] _out;
        private readonly string?[] _dout;

        public BufferPlan(NetworkSpec spec)
        {
            _spec = spec;
            int n = spec.Layers.Count;
            _out = new string[n];
            _dout = new string?[n];
            bool gradient = false;
            for (int i = 0; i < n; i++)
            {
                var l = spec.Layers[i];
                gradient |= l.ParameterCount > 0;
                bool alias = l.Kind is LayerKind.Flatten or LayerKind.Softmax || l is ActivationSpec { FusedIntoPool: true };
                _out[i] = alias ? In(i) : $"ws.{l.Prefix}_out";
                _dout[i] = alias ? DIn(i) : gradient ? $"ws.{l.Prefix}_dout" : null;
            }
        }

        public string In(int i) => i == 0 ? "x" : _out[i - 1];
        public string Out(int i) => _out[i];
        public string? DIn(int i) => i == 0 ? null : _dout[i - 1];
        public string? DOut(int i) => _dout[i];
        /// <summary>Whether layer <paramref name="i"/> must compute the gradient of its input (some earlier layer trains).</summary>
        public bool NeedsInputGradient(int i) => DIn(i) is not null;
        public string Logits => In(_spec.Layers.Count - 1);
        public string? DLogits => DIn(_spec.Layers.Count - 1);

        /// <summary>Workspace buffers: name, values per sample, comment, and whether an inference forward pass uses it.</summary>
        public IEnumerable<(string Name, long PerSample, string Comment, bool Forward)> Buffers()
        {
            for (int i = 0; i < _spec.Layers.Count; i++)
            {
                var l = _spec.Layers[i];
                if (l is Conv2DSpec { Padding: > 0 } c)
                {
                    yield return ($"{l.Prefix}_xpad", c.Padded.Size, $"{l.Name}'s input inside a zero border of {I(c.Padding)}: {Shape(c.Padded)}", true);
                    if (NeedsInputGradient(i))
                        yield return ($"{l.Prefix}_dxpad", c.Padded.Size, $"gradient of {l.Prefix}_xpad: {Shape(c.Padded)}", false);
                }
                if (l is DropoutSpec)
                    yield return ($"{l.Prefix}_mask", l.Output.Size, $"{l.Name}'s mask (0 or 1/(1-rate)): {Shape(l.Output)}", false);
                if (l.Kind is LayerKind.Flatten or LayerKind.Softmax || l is ActivationSpec { FusedIntoPool: true }) continue;
                yield return ($"{l.Prefix}_out", l.Output.Size, $"{l.Name} output: {Shape(l.Output)}", true);
                if (_dout[i] is not null)
                    yield return ($"{l.Prefix}_dout", l.Output.Size, $"gradient of {l.Prefix}_out: {Shape(l.Output)}", false);
            }
        }

        public IEnumerable<BatchNormSpec> BatchNorms => _spec.Layers.OfType<BatchNormSpec>();
    }

    /// <summary>The first <paramref name="length"/> values of a buffer: the input span or a workspace array.</summary>
    internal static string SliceOf(string buffer, string length) => buffer == "x" ? $"x.Slice(0, {length})" : ArraySlice(buffer, length);

    /// <summary>The first <paramref name="length"/> values of a workspace array as a span.</summary>
    internal static string ArraySlice(string array, string length) => $"{array}.Slice(0, {length})";

    internal static string Shape(TensorShape s) => s.IsFlat ? $"(B,{I(s.C)})" : $"(B,{I(s.C)},{I(s.H)},{I(s.W)})";

    private static void EmitWorkspace(SourceWriter w, NetworkSpec spec, BufferPlan plan)
    {
        var buffers = plan.Buffers().ToList();
        bool bn = plan.BatchNorms.Any();
        w.Line("/// <summary>");
        w.Line("/// Activation and gradient buffers for one thread's batches of up to <c>MaxSamples</c> samples,");
        w.Line("/// allocated once, 64-byte aligned. Shapes are per lane group: B groups of TLane.Count samples.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open($"public sealed class Workspace<TLane> : global::CnnGen.NetworkWorkspace {Where}");
        foreach (var b in buffers)
        {
            w.Line($"/// <summary>{b.Comment}</summary>");
            w.Line($"public readonly global::CnnGen.LaneBuffer<TLane> {b.Name};");
        }
        long scratch = spec.Layers.OfType<DenseSpec>().Select(d => (long)d.Input.C + d.Units).DefaultIfEmpty(0).Max();
        if (scratch > 0)
        {
            w.Line("/// <summary>Transpose space for dense weight gradients: (inputs + outputs) of the widest dense layer x 64 samples (or one lane group).</summary>");
            w.Line($"public readonly float[] scratch = new float[{I(scratch)} * global::System.Math.Max(global::CnnGen.Kernels.DenseChunkSamples, TLane.Count)];");
        }
        if (bn)
        {
            w.Line("/// <summary>Per lane: 1 for a sample of the batch, 0 for padding; masks batch statistics.</summary>");
            w.Line("public readonly global::CnnGen.LaneBuffer<TLane> valid;");
            foreach (var l in plan.BatchNorms)
            {
                w.Line($"/// <summary>{l.Name}'s batch mean and inverse standard deviation per {(l.Input.IsFlat ? "feature" : "channel")} ({I(l.Input.C)}), kept for backward.</summary>");
                w.Line($"public readonly float[] {l.Prefix}_mean = new float[{I(l.Input.C)}], {l.Prefix}_var = new float[{I(l.Input.C)}], {l.Prefix}_invstd = new float[{I(l.Input.C)}];");
            }
            w.Line("/// <summary>Samples in the last training batch (for the running-variance correction).</summary>");
            w.Line("public int LastCount;");
        }
        w.Line();
        w.Line("/// <summary>Allocates every buffer for batches of up to <paramref name=\"maxSamples\"/> samples.</summary>");
        w.Open("public Workspace(int maxSamples) : base(TLane.Count, maxSamples)");
        foreach (var b in buffers)
            w.Line($"{b.Name} = new(Groups * {I(b.PerSample)});");
        if (bn) w.Line("valid = new(Groups);");
        w.Close();
        w.Line();
        if (bn)
        {
            w.Line();
            w.Line("/// <summary>Marks the first <paramref name=\"count\"/> samples valid and the rest padding.</summary>");
            w.Open("public void SetValid(int count)");
            w.Line($"var lanes = global::System.Runtime.InteropServices.MemoryMarshal.Cast<TLane, float>(valid.Span);");
            w.Line("for (int i = 0; i < lanes.Length; i++) lanes[i] = i < count ? 1f : 0f;");
            w.Line("LastCount = count;");
            w.Close();
        }
        w.Close();
        w.Line();
    }

    private static void EmitEntryPoints(SourceWriter w, NetworkSpec spec, BufferPlan plan)
    {
        const string Ws = "global::CnnGen.NetworkWorkspace";
        const string Result = "global::CnnGen.StepResult";
        string[] lanes = { "global::CnnGen.Lane16", "global::CnnGen.Lane8", "global::CnnGen.Lane4", "global::CnnGen.Lane1" };

        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedCode);
        w.Open($"public {Ws} CreateWorkspace(int lanes, int maxSamples) => lanes switch");
        w.Line("16 => new Workspace<global::CnnGen.Lane16>(maxSamples),");
        w.Line("8 => new Workspace<global::CnnGen.Lane8>(maxSamples),");
        w.Line("4 => new Workspace<global::CnnGen.Lane4>(maxSamples),");
        w.Line("1 => new Workspace<global::CnnGen.Lane1>(maxSamples),");
        w.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(lanes), lanes, \"Lanes must be \" + global::CnnGen.LaneWidths.Description + \".\"),");
        w.Close(";");
        w.Line();

        void Dispatch(string signature, string call)
        {
            w.Line("/// <inheritdoc/>");
            w.Line(GeneratedCode);
            if (signature.StartsWith("void", System.StringComparison.Ordinal))
            {
                w.Open($"public {signature}");
                w.Open("switch (workspace)");
                foreach (var lane in lanes)
                    w.Line($"case Workspace<{lane}> ws: {call}; break;");
                w.Line("default: throw WrongWorkspace(workspace);");
                w.Close();
                w.Close();
            }
            else
            {
                w.Open($"public {signature} => workspace switch");
                foreach (var lane in lanes)
                    w.Line($"Workspace<{lane}> ws => {call},");
                w.Line("_ => throw WrongWorkspace(workspace),");
                w.Close(";");
            }
            w.Line();
        }
        Dispatch($"{Result} TrainStep({Ws} workspace, {RO}<float> input, {RO}<int> labels, int count, float gradientScale, {SP}<float> gradients, ulong noiseSeed)",
                 "TrainStep(ws, input, labels, count, gradientScale, gradients, noiseSeed)");
        Dispatch($"{Result} Loss({Ws} workspace, {RO}<float> input, {RO}<int> labels, int count, ulong noiseSeed)",
                 "Loss(ws, input, labels, count, noiseSeed)");
        Dispatch($"void Infer({Ws} workspace, {RO}<float> input, int count, {SP}<float> probabilities)",
                 "Infer(ws, input, count, probabilities)");

        w.Line($"private static global::System.ArgumentException WrongWorkspace({Ws} workspace) =>");
        w.Line($"    new(\"The workspace was created by \" + workspace.GetType().FullName + \", not by {spec.ClassName}.CreateWorkspace.\", nameof(workspace));");
        w.Line();

        string logits = plan.Logits;
        w.Line("/// <summary>Forward, fused softmax cross-entropy, backward; gradients accumulate into <paramref name=\"gradients\"/>.</summary>");
        w.Open($"private {Result} TrainStep<TLane>(Workspace<TLane> ws, {RO}<float> input, {RO}<int> labels, int count, float gradientScale, {SP}<float> gradients, ulong noiseSeed) {Where}");
        w.Line("int B = ws.CheckBatch(count, input.Length, InputSize);");
        w.Line("if (gradients.Length != ParameterCount)");
        w.Line($"    throw new global::System.ArgumentException($\"Gradients hold {{gradients.Length}} values; {spec.ClassName} has {{ParameterCount}} parameters.\", nameof(gradients));");
        w.Line("var x = global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, TLane>(input).Slice(0, B * InputSize);");
        w.Line("Forward(ws, x, B, count, training: true, noiseSeed);");
        w.Line("// Softmax + cross-entropy, fused: dlogits = gradientScale * (p - onehot(label)), 0 in padding lanes.");
        string dlogits = plan.DLogits is null ? "default" : $"global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice(plan.DLogits, "B * OutputSize")})";
        w.Line($"var result = global::CnnGen.Kernels.SoftmaxCrossEntropy(global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice(logits, "B * OutputSize")}), labels, count, TLane.Count, OutputSize, gradientScale, {dlogits});");
        w.Line("Backward(ws, x, B, gradients);");
        w.Line("return result;");
        w.Close();
        w.Line();

        w.Line("/// <summary>Training-mode forward pass and loss, without gradients.</summary>");
        w.Open($"private {Result} Loss<TLane>(Workspace<TLane> ws, {RO}<float> input, {RO}<int> labels, int count, ulong noiseSeed) {Where}");
        w.Line("int B = ws.CheckBatch(count, input.Length, InputSize);");
        w.Line("var x = global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, TLane>(input).Slice(0, B * InputSize);");
        w.Line("Forward(ws, x, B, count, training: true, noiseSeed);");
        w.Line($"return global::CnnGen.Kernels.SoftmaxCrossEntropy(global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice(logits, "B * OutputSize")}), labels, count, TLane.Count, OutputSize, 1f, default);");
        w.Close();
        w.Line();

        long forwardValues = plan.Buffers().Where(b => b.Forward).Sum(b => b.PerSample);
        w.Line("/// <summary>Activations of one sample in an inference forward pass (all the layers' outputs).</summary>");
        w.Line($"private const long ForwardValuesPerSample = {I(forwardValues)};");
        w.Line();
        w.Line("/// <summary>Inference-mode forward pass, a cache-sized chunk of lane groups at a time; probabilities are written sample by sample.</summary>");
        w.Open($"private void Infer<TLane>(Workspace<TLane> ws, {RO}<float> input, int count, {SP}<float> probabilities) {Where}");
        w.Line("int B = ws.CheckBatch(count, input.Length, InputSize);");
        w.Line("var x = global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, TLane>(input).Slice(0, B * InputSize);");
        w.Line("if (probabilities.Length < count * OutputSize)");
        w.Line("    throw new global::System.ArgumentException($\"Probabilities hold {probabilities.Length} values; {count} samples x {OutputSize} classes need {count * OutputSize}.\", nameof(probabilities));");
        w.Line("// each layer's output of a chunk is still in the cache when the next layer reads it");
        w.Line("int chunk = global::CnnGen.NetworkWorkspace.ChunkGroups(ForwardValuesPerSample * sizeof(float) * TLane.Count);");
        w.Open("for (int g = 0; g < B; g += chunk)");
        w.Line("int groups = global::System.Math.Min(chunk, B - g), samples = global::System.Math.Min(count - g * TLane.Count, groups * TLane.Count);");
        w.Line("Forward(ws, x.Slice(g * InputSize, groups * InputSize), groups, samples, training: false, noiseSeed: 0);");
        w.Line($"global::CnnGen.Kernels.Softmax(global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice(logits, "groups * OutputSize")}), samples, TLane.Count, OutputSize, probabilities.Slice(g * TLane.Count * OutputSize));");
        w.Close();
        w.Close();
        w.Line();

        // Running statistics
        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedCode);
        if (!plan.BatchNorms.Any())
        {
            w.Line($"public void UpdateRunningStatistics({Ws} workspace) {{ }}");
        }
        else
        {
            w.Open($"public void UpdateRunningStatistics({Ws} workspace)");
            w.Open("switch (workspace)");
            foreach (var lane in lanes)
                w.Line($"case Workspace<{lane}> ws: UpdateRunningStatistics(ws.LastCount, {string.Join(", ", plan.BatchNorms.Select(b => $"ws.{b.Prefix}_mean, ws.{b.Prefix}_var"))}); break;");
            w.Line("default: throw WrongWorkspace(workspace);");
            w.Close();
            w.Close();
            w.Line();
            string args = string.Join(", ", plan.BatchNorms.Select(b => $"float[] {b.Prefix}_mean, float[] {b.Prefix}_var"));
            w.Line("/// <summary>running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance.</summary>");
            w.Open($"private void UpdateRunningStatistics(int count, {args})");
            w.Line("var s = State;");
            foreach (var b in plan.BatchNorms)
            {
                w.Line($"// {b.Name}: {I(b.Input.C)} {(b.Input.IsFlat ? "features" : "channels")}, {I(b.Spatial)} values per sample each");
                w.Line($"float {b.Prefix}_m = {F(b.Momentum)};");
                w.Line($"long {b.Prefix}_n = (long)count * {I(b.Spatial)};");
                w.Line($"float {b.Prefix}_unbias = {b.Prefix}_n > 1 ? (float){b.Prefix}_n / ({b.Prefix}_n - 1) : 1f;");
                w.Open($"for (int c = 0; c < {I(b.Input.C)}; c++)");
                w.Line($"s[{I(b.StateOffset)} + c] = (1f - {b.Prefix}_m) * s[{I(b.StateOffset)} + c] + {b.Prefix}_m * {b.Prefix}_mean[c];");
                w.Line($"s[{I(b.StateOffset + b.Input.C)} + c] = (1f - {b.Prefix}_m) * s[{I(b.StateOffset + b.Input.C)} + c] + {b.Prefix}_m * {b.Prefix}_var[c] * {b.Prefix}_unbias;");
                w.Close();
            }
            w.Close();
            w.Line();
        }

        Predict.EmitEntryPoints(w, spec);
    }

    /// <summary>In a forward pass: the comment naming layer <paramref name="l"/> and its parameters' slices of <c>p</c>.</summary>
    internal static void LayerPreamble(SourceWriter w, LayerSpec l)
    {
        w.Line($"// {l.Name}: {l.Describe()}");
        foreach (var (name, offset, length, shape) in ParameterSlices(l))
            w.Line($"var {name} = p.Slice({I(offset)}, {I(length)}); // {shape}");
    }

    private static void EmitForwardPass(SourceWriter w, NetworkSpec spec, BufferPlan plan)
    {
        w.Line("/// <summary>Forward pass over B lane groups: every layer in order; the logits end in " + plan.Logits.Replace("ws.", "") + ".</summary>");
        w.Line(Hot);
        w.Open($"private void Forward<TLane>(Workspace<TLane> ws, {RO}<TLane> x, int B, int count, bool training, ulong noiseSeed) {Where}");
        w.Line($"{RO}<float> p = Parameters;");
        if (spec.StateCount > 0) w.Line($"{RO}<float> s = State;");
        if (plan.BatchNorms.Any()) w.Line("if (training) ws.SetValid(count);");
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
                        w.Line($"{c.Name}_Pad<TLane>({x}, ws.{c.Prefix}_xpad, B);");
                        input = $"ws.{c.Prefix}_xpad";
                    }
                    w.Line($"{c.Name}_Forward<TLane>({input}, {c.Prefix}_w, {(c.Bias ? c.Prefix + "_b, " : "")}{y}, B);");
                    break;
                case DenseSpec d:
                    w.Line($"{d.Name}_Forward<TLane>({x}, {d.Prefix}_w, {(d.Bias ? d.Prefix + "_b, " : "")}{y}, B);");
                    break;
                case FlattenSpec:
                    w.Line($"// the lanes layout of {Shape(l.Input)} is already {Shape(l.Output)}: no copy.");
                    break;
                case SoftmaxSpec:
                    w.Line("// fused with the loss in TrainStep, or applied in Infer.");
                    break;
                case DropoutSpec d:
                    w.Open("if (training)");
                    w.Line($"global::CnnGen.Kernels.DropoutMask(global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice("ws." + d.Prefix + "_mask", "B * " + I(d.Output.Size))}), B, {I(d.Output.Size)}, TLane.Count, {F(d.Rate)}, noiseSeed, layer: {I(i)});");
                    w.Line($"{d.Name}_Forward<TLane>({x}, ws.{d.Prefix}_mask, {y}, B);");
                    w.Close();
                    w.Line($"else {SliceOf(x, "B * " + I(d.Output.Size))}.CopyTo({y}); // identity in inference");
                    break;
                case BatchNormSpec b:
                    w.Line($"if (training) {b.Name}_Forward<TLane>({x}, {b.Prefix}_gamma, {b.Prefix}_beta, ws.valid, count, ws.{b.Prefix}_mean, ws.{b.Prefix}_var, ws.{b.Prefix}_invstd, {y}, B);");
                    w.Line($"else {b.Name}_Infer<TLane>({x}, {b.Prefix}_gamma, {b.Prefix}_beta, s.Slice({I(b.StateOffset)}, {I(b.Input.C)}), s.Slice({I(b.StateOffset + b.Input.C)}, {I(b.Input.C)}), {y}, B);");
                    break;
                case ActivationSpec { FusedIntoPool: true }:
                    w.Line($"// applied by {spec.Layers[i + 1].Name}_Forward to each window's maximum: no pass, no buffer.");
                    break;
                default:
                    w.Line($"{l.Name}_Forward<TLane>({x}, {y}, B);");
                    break;
            }
        }
        w.Close();
        w.Line();
    }

    private static void EmitBackwardPass(SourceWriter w, NetworkSpec spec, BufferPlan plan)
    {
        w.Line("/// <summary>Backward pass: every layer in reverse; parameter gradients accumulate (+=) into <paramref name=\"g\"/>.</summary>");
        w.Line(Hot);
        w.Open($"private void Backward<TLane>(Workspace<TLane> ws, {RO}<TLane> x, int B, {SP}<float> g) {Where}");
        w.Line($"{RO}<float> p = Parameters;");
        for (int i = spec.Layers.Count - 1; i >= 0; i--)
        {
            var l = spec.Layers[i];
            string xIn = plan.In(i), y = plan.Out(i);
            string? dy = plan.DOut(i), dx = plan.DIn(i);
            if (l.ParameterCount == 0 && dx is null)
                continue; // nothing before this layer trains
            if (l.Kind is LayerKind.Flatten or LayerKind.Softmax)
                continue;
            if (l is ActivationSpec { FusedIntoPool: true })
            {
                w.Line($"// {l.Name}: {l.Describe()}, its gradient mask applied by {spec.Layers[i + 1].Name}_Backward");
                continue;
            }
            w.Line($"// {l.Name}: {l.Describe()}");
            if (dx is not null && !l.WritesInputGradient)
            {
                // Backward accumulates into dx, so it starts at 0; cleared here, just before use, while it is cache-warm.
                if (l is Conv2DSpec { Padding: > 0 } padded)
                    w.Line($"{ArraySlice($"ws.{padded.Prefix}_dxpad", "B * " + I(padded.Padded.Size))}.Clear();");
                w.Line($"{ArraySlice(dx, "B * " + I(l.Input.Size))}.Clear();");
            }
            switch (l)
            {
                case Conv2DSpec c:
                {
                    w.Line($"var {c.Prefix}_dw = g.Slice({I(c.ParameterOffset)}, {I(c.Filters * c.Input.C * c.Kernel * c.Kernel)});");
                    if (c.Bias) w.Line($"var {c.Prefix}_db = g.Slice({I(c.ParameterOffset + c.Filters * c.Input.C * c.Kernel * c.Kernel)}, {I(c.Filters)});");
                    if (dx is not null) w.Line($"var {c.Prefix}_w = p.Slice({I(c.ParameterOffset)}, {I(c.Filters * c.Input.C * c.Kernel * c.Kernel)});");
                    string input = c.Padding > 0 ? $"ws.{c.Prefix}_xpad" : xIn;
                    string dInput = c.Padding > 0 ? $"ws.{c.Prefix}_dxpad" : dx ?? "";
                    var args = new List<string> { input };
                    if (dx is not null) args.Add($"{c.Prefix}_w");
                    args.Add(dy!);
                    if (dx is not null) args.Add(dInput);
                    args.Add($"{c.Prefix}_dw");
                    if (c.Bias) args.Add($"{c.Prefix}_db");
                    args.Add("B");
                    w.Line($"{c.Name}_Backward<TLane>({string.Join(", ", args)});");
                    if (dx is not null && c.Padding > 0)
                        w.Line($"{c.Name}_Unpad<TLane>(ws.{c.Prefix}_dxpad, {dx}, B);");
                    break;
                }
                case DenseSpec d:
                {
                    w.Line($"var {d.Prefix}_dw = g.Slice({I(d.ParameterOffset)}, {I(d.Units * d.Input.C)});");
                    if (d.Bias) w.Line($"var {d.Prefix}_db = g.Slice({I(d.ParameterOffset + d.Units * d.Input.C)}, {I(d.Units)});");
                    if (dx is not null) w.Line($"var {d.Prefix}_w = p.Slice({I(d.ParameterOffset)}, {I(d.Units * d.Input.C)});");
                    var args = new List<string> { xIn };
                    if (dx is not null) args.Add($"{d.Prefix}_w");
                    args.Add(dy!);
                    if (dx is not null) args.Add(dx);
                    args.Add($"{d.Prefix}_dw");
                    if (d.Bias) args.Add($"{d.Prefix}_db");
                    args.Add("ws.scratch");
                    args.Add("B");
                    w.Line($"{d.Name}_Backward<TLane>({string.Join(", ", args)});");
                    break;
                }
                case BatchNormSpec b:
                {
                    w.Line($"var {b.Prefix}_gamma = p.Slice({I(b.ParameterOffset)}, {I(b.Input.C)});");
                    w.Line($"var {b.Prefix}_dgamma = g.Slice({I(b.ParameterOffset)}, {I(b.Input.C)});");
                    w.Line($"var {b.Prefix}_dbeta = g.Slice({I(b.ParameterOffset + b.Input.C)}, {I(b.Input.C)});");
                    string dxArg = dx is null ? "" : dx + ", ";
                    w.Line($"{b.Name}_Backward<TLane>({xIn}, {b.Prefix}_gamma, ws.valid, ws.LastCount, ws.{b.Prefix}_mean, ws.{b.Prefix}_invstd, {dy}, {dxArg}{b.Prefix}_dgamma, {b.Prefix}_dbeta, B);");
                    break;
                }
                case DropoutSpec d:
                    w.Line($"{d.Name}_Backward<TLane>(ws.{d.Prefix}_mask, {dy}, {dx}, B);");
                    break;
                default:
                    w.Line($"{l.Name}_Backward<TLane>({xIn}, {y}, {dy}, {dx}, B);");
                    break;
            }
        }
        w.Close();
    }
}

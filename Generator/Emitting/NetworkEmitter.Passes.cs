using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>Workspace buffers in order: each layer's extra buffers, its output and its output gradient.</summary>
    internal static IEnumerable<WorkspaceBuffer> WorkspaceBuffers(NetworkSpec spec)
    {
        foreach (var l in spec.Layers)
        {
            foreach (var b in l.ExtraBuffers(new PassContext(spec, l).InputGradient))
                yield return b;
            if (l.Buffers.OwnsOut)
                yield return new($"{l.Prefix}_out", l.Output.Size, $"{l.Name} output: {Shape(l.Output)}", true);
            if (l.Buffers.OwnsDOut)
                yield return new($"{l.Prefix}_dout", l.Output.Size, $"gradient of {l.Prefix}_out: {Shape(l.Output)}", false);
        }
    }

    private static IEnumerable<IBatchStatistics> BatchStatistics(NetworkSpec spec) => spec.Layers.OfType<IBatchStatistics>();

    /// <summary>The logits: the input of the final softmax.</summary>
    private static PassContext Last(NetworkSpec spec) => new(spec, spec.Layers[spec.Layers.Count - 1]);

    private static void EmitWorkspace(SourceWriter w, NetworkSpec spec)
    {
        var buffers = WorkspaceBuffers(spec).ToList();
        bool bn = BatchStatistics(spec).Any();
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
        long scratch = spec.Layers.Select(l => l.Scratch).DefaultIfEmpty(0).Max();
        if (scratch > 0)
        {
            w.Line("/// <summary>Transpose space for dense weight gradients: (inputs + outputs) of the widest dense layer x 64 samples (or one lane group).</summary>");
            w.Line($"public readonly float[] scratch = new float[{I(scratch)} * global::System.Math.Max(global::CnnGen.Kernels.DenseChunkSamples, TLane.Count)];");
        }
        if (bn)
        {
            w.Line("/// <summary>Per lane: 1 for a sample of the batch, 0 for padding; masks batch statistics.</summary>");
            w.Line("public readonly global::CnnGen.LaneBuffer<TLane> valid;");
            foreach (var l in spec.Layers)
                l.EmitWorkspaceFields(w);
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

    private static void EmitEntryPoints(SourceWriter w, NetworkSpec spec)
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

        var last = Last(spec);
        string logits = last.X;
        w.Line("/// <summary>Forward, fused softmax cross-entropy, backward; gradients accumulate into <paramref name=\"gradients\"/>.</summary>");
        w.Open($"private {Result} TrainStep<TLane>(Workspace<TLane> ws, {RO}<float> input, {RO}<int> labels, int count, float gradientScale, {SP}<float> gradients, ulong noiseSeed) {Where}");
        w.Line("int B = ws.CheckBatch(count, input.Length, InputSize);");
        w.Line("if (gradients.Length != ParameterCount)");
        w.Line($"    throw new global::System.ArgumentException($\"Gradients hold {{gradients.Length}} values; {spec.ClassName} has {{ParameterCount}} parameters.\", nameof(gradients));");
        w.Line("var x = global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, TLane>(input).Slice(0, B * InputSize);");
        w.Line("Forward(ws, x, B, count, training: true, noiseSeed);");
        w.Line("// Softmax + cross-entropy, fused: dlogits = gradientScale * (p - onehot(label)), 0 in padding lanes.");
        string dlogits = last.DX is null ? "default" : $"global::CnnGen.Kernels.AsFloats<TLane>({ArraySlice(last.DX, "B * OutputSize")})";
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

        long forwardValues = WorkspaceBuffers(spec).Where(b => b.Forward).Sum(b => b.PerSample);
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
        var statistics = BatchStatistics(spec).ToList();
        if (statistics.Count == 0)
        {
            w.Line($"public void UpdateRunningStatistics({Ws} workspace) {{ }}");
        }
        else
        {
            w.Open($"public void UpdateRunningStatistics({Ws} workspace)");
            w.Open("switch (workspace)");
            foreach (var lane in lanes)
                w.Line($"case Workspace<{lane}> ws: UpdateRunningStatistics(ws.LastCount, {string.Join(", ", statistics.Select(b => b.StatisticsArguments))}); break;");
            w.Line("default: throw WrongWorkspace(workspace);");
            w.Close();
            w.Close();
            w.Line();
            string args = string.Join(", ", statistics.Select(b => b.StatisticsParameters));
            w.Line("/// <summary>running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance.</summary>");
            w.Open($"private void UpdateRunningStatistics(int count, {args})");
            w.Line("var s = State;");
            foreach (var b in statistics)
                b.EmitRunningUpdate(w);
            w.Close();
            w.Line();
        }

        Predict.EmitEntryPoints(w, spec);
    }

    /// <summary>In a forward pass: the comment naming layer <paramref name="l"/> and its parameters' slices of <c>p</c>.</summary>
    internal static void LayerPreamble(SourceWriter w, LayerSpec l)
    {
        w.Line($"// {l.Name}: {l.Describe()}");
        foreach (var slice in l.ParameterSlices())
            w.Line($"var {slice.Name} = p.Slice({I(slice.Offset)}, {I(slice.Length)}); // {slice.Shape}");
    }

    private static void EmitForwardPass(SourceWriter w, NetworkSpec spec)
    {
        w.Line("/// <summary>Forward pass over B lane groups: every layer in order; the logits end in " + Last(spec).X.Replace("ws.", "") + ".</summary>");
        w.Line(Hot);
        w.Open($"private void Forward<TLane>(Workspace<TLane> ws, {RO}<TLane> x, int B, int count, bool training, ulong noiseSeed) {Where}");
        w.Line($"{RO}<float> p = Parameters;");
        if (spec.StateCount > 0) w.Line($"{RO}<float> s = State;");
        if (BatchStatistics(spec).Any()) w.Line("if (training) ws.SetValid(count);");
        foreach (var l in spec.Layers)
        {
            LayerPreamble(w, l);
            l.EmitForward(w, new PassContext(spec, l));
        }
        w.Close();
        w.Line();
    }

    private static void EmitBackwardPass(SourceWriter w, NetworkSpec spec)
    {
        w.Line("/// <summary>Backward pass: every layer in reverse; parameter gradients accumulate (+=) into <paramref name=\"g\"/>.</summary>");
        w.Line(Hot);
        w.Open($"private void Backward<TLane>(Workspace<TLane> ws, {RO}<TLane> x, int B, {SP}<float> g) {Where}");
        w.Line($"{RO}<float> p = Parameters;");
        for (int i = spec.Layers.Count - 1; i >= 0; i--)
        {
            var l = spec.Layers[i];
            var ctx = new PassContext(spec, l);
            if (l.ParameterCount == 0 && !ctx.InputGradient)
                continue; // nothing before this layer trains
            if (!l.HasBackward)
                continue;
            l.EmitBackward(w, ctx);
        }
        w.Close();
    }
}

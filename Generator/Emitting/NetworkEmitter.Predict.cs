using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

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
        /// <summary>
        /// Values after each buffer that whole vectors may read or write: a run of 16 columns reads up to
        /// 16 x stride values past the last window, and the last run of 16 stores up to 15 past the end.
        /// </summary>
        private static int Slack(NetworkSpec spec) => 16 * Math.Max(1, spec.Layers.Select(l => l.WindowStride).DefaultIfEmpty(1).Max());

        /// <summary>The single-sample buffers: the input, then each layer's extra buffers and its own output.</summary>
        private static IEnumerable<(string Name, long Size, string Comment)> Buffers(NetworkSpec spec)
        {
            yield return ("input", spec.Input.Size, $"the sample: {Plain(spec.Input)}");
            foreach (var l in spec.Layers)
            {
                foreach (var b in l.PredictExtraBuffers())
                    yield return b;
                if (l.Buffers.OwnsPredictOut)
                    yield return ($"{l.Prefix}_out", l.Output.Size, $"{l.Name} output: {Plain(l.Output)}");
            }
        }

        /// <summary>The single-sample buffers, <c>Predict</c> (widest accelerated lanes), <c>Predict&lt;TLane&gt;</c> and <c>Classify</c>.</summary>
        public static void EmitEntryPoints(SourceWriter w, NetworkSpec spec)
        {
            w.Line("/// <summary>");
            w.Line("/// One sample's activations for <see cref=\"Predict{TLane}\"/>: plain floats in (C, H, W) order, each buffer");
            w.Line("/// followed by <c>Slack</c> spare values so that whole vectors may run past its last position.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            w.Open("private sealed class SingleSample");
            w.Line($"public const int Slack = {I(Slack(spec))};");
            foreach (var b in Buffers(spec))
            {
                w.Line($"/// <summary>{b.Comment}</summary>");
                w.Line($"public readonly float[] {b.Name} = new float[{I(b.Size)} + Slack];");
            }
            w.Close();
            w.Line();
            w.Line("// One sample's scratch per thread (activations, and for some convolutions their weights repacked, redone when");
            w.Line("// they change): Predict and Classify may run on many threads at once on one instance, as long as its parameters");
            w.Line("// do not change meanwhile.");
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
                LayerPreamble(w, l);
                l.EmitPredict(w, new PredictContext(spec, l));
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
    }
}

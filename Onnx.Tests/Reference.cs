using System;
using System.Linq;
using CnnGen;
using CnnGen.Structure;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Onnx.Tests;

/// <summary>CnnGen's Infer and ONNX Runtime on the same inputs.</summary>
internal static class Reference
{
    /// <summary>
    /// Gives every parameter and running statistic a random value, as training would (non-zero biases, BatchNorm scales
    /// away from 1, running means away from 0, variances in [0.5, 2]), so that no layout mistake hides behind a default.
    /// </summary>
    public static void Randomize(INetwork net, ulong seed)
    {
        net.InitializeParameters(seed);
        var random = new Random((int)seed);
        var p = net.Parameters;
        // every value moved: weights scaled by 0.8-1.2, plus up to +-0.05 (biases and shifts away from 0, scales from 1), which keeps
        // the logits of the deep nets at a trained net's size (a shift of +-0.1 on every weight gave VGG logits in the hundreds)
        for (int i = 0; i < p.Length; i++) p[i] = p[i] * (0.8f + 0.4f * (float)random.NextDouble()) + (float)(random.NextDouble() - 0.5) * 0.1f;
        var s = net.State;
        foreach (var l in net.Layers.Where(l => l.Op == LayerOp.BatchNorm))
            for (int c = 0; c < l.Input.C; c++)
            {
                s[l.StateOffset + c] = (float)(random.NextDouble() - 0.5);
                s[l.StateOffset + l.Input.C + c] = 0.5f + 1.5f * (float)random.NextDouble();
            }
    }

    /// <summary><paramref name="count"/> samples of N(0, 1) values, sample after sample.</summary>
    public static float[] RandomInputs(INetwork net, int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * net.InputSize];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return x;
    }

    /// <summary>CnnGen's inference-mode probabilities for samples stored one after another.</summary>
    public static float[] Infer(INetwork net, float[] samples, int count, int lanes = 0)
    {
        if (lanes == 0) lanes = NetworkWorkspace.PreferredLanes;
        var workspace = net.CreateWorkspace(lanes, count);
        var packed = new float[LaneLayout.Length(count, net.InputSize, lanes)];
        LaneLayout.Pack(samples, count, net.InputSize, lanes, packed);
        var probabilities = new float[count * net.OutputSize];
        net.Infer(workspace, packed, count, probabilities);
        return probabilities;
    }

    /// <summary>ONNX Runtime's output <c>probabilities</c> for the model <paramref name="model"/> on the same samples.</summary>
    public static float[] RunOnnx(byte[] model, INetwork net, float[] samples, int count)
    {
        using var session = new InferenceSession(model);
        return RunOnnx(session, net, samples, count);
    }

    public static float[] RunOnnx(InferenceSession session, INetwork net, float[] samples, int count)
    {
        var first = net.Layers[0].Input;
        long[] shape = first.IsFlat ? [count, first.C] : [count, first.C, first.H, first.W];
        using var input = OrtValue.CreateTensorValueFromMemory(samples, shape);
        using var options = new RunOptions();
        using var outputs = session.Run(options, [OnnxNames.Input], [input], [OnnxNames.Output]);
        var info = outputs[0].GetTensorTypeAndShape();
        if (!info.Shape.SequenceEqual(new long[] { count, net.OutputSize }))
            throw new InvalidOperationException($"ONNX Runtime's output has shape ({string.Join(", ", info.Shape)}), not ({count}, {net.OutputSize}).");
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static double MaxDiff(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths {a.Length} and {b.Length}");
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            max = Math.Max(max, d);
        }
        return max;
    }

    public static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
        return best;
    }
}

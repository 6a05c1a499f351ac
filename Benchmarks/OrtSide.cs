using System;
using System.Linq;
using CnnGen.Data;
using CnnGen.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>
/// ONNX Runtime as the inference peer of the family benchmark: the CnnGen net itself, exported by CnnGen.Onnx (the
/// same weights), run with all graph optimizations on, on 1 or 2 intra-op threads; batch 1000 samples/s and one-sample
/// latency. Before timing, its probabilities are checked against CnnGen's on the batch, so both sides run the same net.
/// </summary>
public static class OrtSide
{
    public readonly record struct Result(double SamplesPerSecond, double PredictMicroseconds, double MaxDifference);

    public static Result Measure(FamilyNet n, ImageDataset data, int threads, int reps)
    {
        const int Batch = 1000;
        var net = n.Create();
        net.InitializeParameters(1);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(OnnxExporter.ToBytes(net), options);

        var samples = new float[Batch * net.InputSize];
        var table = PixelNormalization.Scale01.Table;
        for (int i = 0; i < Batch; i++)
        {
            var pixels = data.Pixels(i);
            for (int j = 0; j < net.InputSize; j++) samples[i * net.InputSize + j] = table[pixels[j]];
        }
        double diff = MaxDifference(net, data, session, samples, Batch);

        using var input = OrtValue.CreateTensorValueFromMemory(samples, [Batch, net.InputChannels, net.InputHeight, net.InputWidth]);
        using var run = new RunOptions();
        void Once()
        {
            using var outputs = session.Run(run, [OnnxNames.Input], [input], [OnnxNames.Output]);
        }
        double rate = Timing.Throughput(Once, Batch, reps);

        using var one = OrtValue.CreateTensorValueFromMemory(samples[..net.InputSize], [1, net.InputChannels, net.InputHeight, net.InputWidth]);
        double latency = Timing.LatencyMicroseconds(() =>
        {
            using var outputs = session.Run(run, [OnnxNames.Input], [one], [OnnxNames.Output]);
        });
        return new Result(rate, latency, diff);
    }

    /// <summary>Largest |ONNX Runtime - CnnGen| over the batch's probabilities; throws past 1e-4 (not the same net).</summary>
    private static double MaxDifference(INetwork net, ImageDataset data, InferenceSession session, float[] samples, int count)
    {
        int lanes = NetworkWorkspace.PreferredLanes;
        var packed = new float[LaneLayout.Length(count, net.InputSize, lanes)];
        data.PackBatch(Enumerable.Range(0, count).ToArray(), lanes, PixelNormalization.Scale01, packed, new int[count]);
        var ours = new float[count * net.OutputSize];
        net.Infer(net.CreateWorkspace(lanes, count), packed, count, ours);
        using var input = OrtValue.CreateTensorValueFromMemory(samples, [count, net.InputChannels, net.InputHeight, net.InputWidth]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [OnnxNames.Input], [input], [OnnxNames.Output]);
        var theirs = outputs[0].GetTensorDataAsSpan<float>();
        double max = 0;
        for (int i = 0; i < ours.Length; i++) max = Math.Max(max, Math.Abs(ours[i] - theirs[i]));
        if (!(max <= 1e-4)) throw new InvalidOperationException($"{net.Name}: ONNX Runtime's probabilities differ from CnnGen's by {max}: not the same net.");
        return max;
    }
}

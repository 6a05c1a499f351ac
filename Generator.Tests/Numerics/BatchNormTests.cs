using System;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>BatchNorm semantics: batch statistics over valid samples in training, running statistics in inference.</summary>
public class BatchNormTests(ITestOutputHelper output)
{
    // BatchNormNet: conv1_out (B,5,4,4) -> batchnorm1_out; dense1_out (B,20) -> batchnorm2_out.
    // State: batchnorm1_running_mean (5), batchnorm1_running_var (5), batchnorm2_running_mean (20), batchnorm2_running_var (20).

    private static (double[] Mean, double[] Var) Stats(float[] lanesLayout, int lanes, int count, int channels, int hw)
    {
        var mean = new double[channels];
        var variance = new double[channels];
        int n = count * hw;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0, sq = 0;
            for (int s = 0; s < count; s++)
                for (int k = 0; k < hw; k++)
                {
                    int g = s / lanes, l = s % lanes;
                    double v = lanesLayout[((g * channels + c) * hw + k) * lanes + l];
                    sum += v; sq += v * v;
                }
            mean[c] = sum / n;
            variance[c] = sq / n - mean[c] * mean[c];
        }
        return (mean, variance);
    }

    private static float[] Floats<TLane>(LaneBuffer<TLane> values) where TLane : unmanaged, ILane<TLane> => Kernels.AsFloats<TLane>(values.Span).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void Training_output_is_normalized_over_valid_samples_and_running_statistics_follow_the_batch(int lanes)
    {
        var net = new BatchNormNet();
        INetwork inet = net;
        int count = 19;
        var (samples, labels) = NetCases.RandomBatch(inet, count, 17);
        for (int i = 0; i < samples.Length; i++) samples[i] = samples[i] * 2 + 3; // shift and scale so normalization matters
        var input = NetCases.Pack(inet, samples, count, lanes);
        var ws = inet.CreateWorkspace(lanes, count);
        inet.TrainStep(ws, input, labels, count, 1f, new float[BatchNormNet.ParameterCount], 1);
        (float[] conv, float[] bn1, float[] dense, float[] bn2) = ws switch
        {
            BatchNormNet.Workspace<Lane1> w => (Floats(w.conv1_out), Floats(w.batchnorm1_out), Floats(w.dense1_out), Floats(w.batchnorm2_out)),
            BatchNormNet.Workspace<Lane4> w => (Floats(w.conv1_out), Floats(w.batchnorm1_out), Floats(w.dense1_out), Floats(w.batchnorm2_out)),
            BatchNormNet.Workspace<Lane8> w => (Floats(w.conv1_out), Floats(w.batchnorm1_out), Floats(w.dense1_out), Floats(w.batchnorm2_out)),
            BatchNormNet.Workspace<Lane16> w => (Floats(w.conv1_out), Floats(w.batchnorm1_out), Floats(w.dense1_out), Floats(w.batchnorm2_out)),
            _ => throw new InvalidOperationException(),
        };
        // gamma 1, beta 0 after InitializeParameters: y = (x - mean) / sqrt(var + 1e-5), so mean 0 and var ~1 over valid
        // samples. BatchNorm1 applies the ReLU after it (fused), so its buffer holds max(y, 0): checked against the
        // normalization of conv1_out by this test's own statistics, value by value.
        var (convMean, convVar) = Stats(conv, lanes, count, 5, 16);
        double worstFused = 0;
        for (int c = 0; c < 5; c++)
            for (int smp = 0; smp < count; smp++)
                for (int k = 0; k < 16; k++)
                {
                    int i = (((smp / lanes) * 5 + c) * 16 + k) * lanes + smp % lanes;
                    double expected = Math.Max(0, (conv[i] - convMean[c]) / Math.Sqrt(convVar[c] + 1e-5));
                    worstFused = Math.Max(worstFused, Math.Abs(bn1[i] - expected));
                }
        Assert.True(worstFused < 1e-4, $"BatchNorm1 with the fused ReLU: max |y - max(0, (x - mean) / std)| = {worstFused:E2}");
        output.WriteLine($"lanes={lanes} BatchNorm1 (ReLU fused): max |y - max(0, xhat)| {worstFused:E2}");
        foreach (var (name, y, channels, hw) in new[] { ("BatchNorm2", bn2, 20, 1) })
        {
            var (mean, variance) = Stats(y, lanes, count, channels, hw);
            for (int c = 0; c < channels; c++)
            {
                Assert.True(Math.Abs(mean[c]) < 1e-4, $"{name} channel {c}: mean {mean[c]:E2}");
                Assert.True(Math.Abs(variance[c] - 1) < 1e-3, $"{name} channel {c}: variance {variance[c]:G6}");
            }
            output.WriteLine($"lanes={lanes} {name}: max |mean| {MaxAbs(mean):E2}, max |var - 1| {MaxAbsMinus1(variance):E2}");
        }

        // running statistics after one update with momentum 0.1 from (mean 0, var 1)
        inet.UpdateRunningStatistics(ws);
        var state = inet.State.ToArray();
        foreach (var (name, x, channels, hw, offset) in new[] { ("BatchNorm1", conv, 5, 16, 0), ("BatchNorm2", dense, 20, 1, 10) })
        {
            var (mean, variance) = Stats(x, lanes, count, channels, hw);
            int n = count * hw;
            for (int c = 0; c < channels; c++)
            {
                Assert.True(Math.Abs(state[offset + c] - 0.1 * mean[c]) <= 1e-4 * (1 + Math.Abs(mean[c])), $"{name} running mean {c}: {state[offset + c]} vs {0.1 * mean[c]}");
                double biased = 0.9 + 0.1 * variance[c], unbiased = 0.9 + 0.1 * variance[c] * n / (n - 1);
                double v = state[offset + channels + c];
                Assert.True(Math.Abs(v - unbiased) <= 1e-4 * unbiased || Math.Abs(v - biased) <= 1e-4 * biased,
                            $"{name} running var {c}: {v} vs unbiased {unbiased} / biased {biased}");
            }
        }
    }

    [Fact]
    public void Infer_uses_running_statistics()
    {
        var net = new BatchNormNet();
        INetwork inet = net;
        int count = 19;
        var (samples, labels) = NetCases.RandomBatch(inet, count, 18);
        var input = NetCases.Pack(inet, samples, count, 16);
        var ws = inet.CreateWorkspace(16, count);
        var before = new float[count * 3];
        inet.Infer(ws, input, count, before);
        // a training step alone changes nothing in inference
        inet.TrainStep(ws, input, labels, count, 1f, new float[BatchNormNet.ParameterCount], 1);
        var afterStep = new float[count * 3];
        inet.Infer(ws, input, count, afterStep);
        Assert.Equal(before, afterStep);
        // updating the running statistics does; after many updates they equal the batch statistics, and inference
        // then gives (nearly) the training-mode loss: -sum log p[label] vs Loss(...).LossSum
        for (int k = 0; k < 300; k++) inet.UpdateRunningStatistics(ws);
        var after = new float[count * 3];
        inet.Infer(ws, input, count, after);
        Assert.NotEqual(before, after);
        double inferLoss = 0;
        for (int s = 0; s < count; s++) inferLoss -= Math.Log(after[s * 3 + labels[s]]);
        double trainLoss = inet.Loss(ws, input, labels, count, 1).LossSum;
        output.WriteLine($"training-mode loss {trainLoss:G6}, inference loss with converged running statistics {inferLoss:G6}");
        // running variance may be the unbiased estimate (n/(n-1) = 19/18 for the dense BatchNorm): ~3% in std
        Assert.True(Math.Abs(inferLoss - trainLoss) <= 0.05 * trainLoss, $"{inferLoss} vs {trainLoss}");
    }

    private static double MaxAbs(double[] v) { double m = 0; foreach (var x in v) m = Math.Max(m, Math.Abs(x)); return m; }
    private static double MaxAbsMinus1(double[] v) { double m = 0; foreach (var x in v) m = Math.Max(m, Math.Abs(x - 1)); return m; }
}

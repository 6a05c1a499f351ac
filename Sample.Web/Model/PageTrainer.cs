using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Sample.Web.Model;

/// <summary>One trained batch, as the page plots it.</summary>
public readonly record struct BatchReport(int Epoch, int Batch, int BatchesPerEpoch, long Step, long TotalSteps, double Loss, double Accuracy, double SamplesPerSecond);

/// <summary>
/// Mini-batch training on the page's one thread: the same generated <c>TrainStep</c> and Runtime optimizer the
/// <see cref="CnnGen.Training.Trainer"/> uses, but with an <c>await</c> after every batch so that the browser can paint
/// the progress and handle the Stop button. (The Trainer's <c>Fit</c> is synchronous: in the browser it would block
/// the page until the end. With <c>Threads = 1</c> it starts no thread; this loop does not need it at all.)
/// </summary>
public sealed class PageTrainer
{
    private const ulong NoiseStream = 0xD50F, ShuffleStream = 0x5AFF1E;

    /// <summary>Epochs over the training set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW's learning rate.</summary>
    public float LearningRate { get; init; } = 2e-3f;

    /// <summary>Seed of the initial weights and the shuffling.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Samples per SIMD value: <see cref="NetworkWorkspace.PreferredLanes"/> unless set.</summary>
    public int Lanes { get; init; } = NetworkWorkspace.PreferredLanes;

    /// <summary>
    /// Trains <paramref name="net"/> (from its current weights) on <paramref name="train"/>; after every batch awaits
    /// <paramref name="onBatch"/> (where the page yields to the browser). Returns the steps done; stops early, without
    /// throwing, when <paramref name="cancel"/> is cancelled.
    /// </summary>
    public async Task<long> RunAsync(LeNet5 net, ImageDataset train, PixelNormalization normalization, Func<BatchReport, Task> onBatch, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(onBatch);
        if (Epochs < 1 || BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), "Epochs and the batch size must be at least 1.");
        Trainer.CheckCompatible(net, train);
        var workspace = net.CreateWorkspace(Lanes, BatchSize);
        var input = new float[LaneLayout.Length(BatchSize, LeNet5.InputSize, Lanes)];
        var labels = new int[BatchSize];
        var order = new int[train.Count];
        var optimizer = new AdamW(LearningRate, weightDecay: 1e-4f);
        // our own gradient buffer, never the network's: in the browser it overlaps Parameters (see Initialization)
        var gradients = new float[LeNet5.ParameterCount];
        int batches = (train.Count + BatchSize - 1) / BatchSize;
        long total = (long)Epochs * batches, step = 0;
        var clock = Stopwatch.StartNew();
        long samples = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            Shuffling.Permutation(order, Rng.Derive(Rng.Derive(Seed, ShuffleStream), (ulong)epoch));
            for (int batch = 0; batch < batches; batch++)
            {
                if (cancel.IsCancellationRequested) return step;
                int start = batch * BatchSize, count = Math.Min(BatchSize, train.Count - start);
                train.PackBatch(order.AsSpan(start, count), Lanes, normalization, input, labels);
                Array.Clear(gradients);
                var result = net.TrainStep(workspace, input, labels, count, 1f / count, gradients, Rng.Derive(Rng.Derive(Seed, NoiseStream), (ulong)step));
                if (!double.IsFinite(result.LossSum)) throw new InvalidOperationException($"The loss became {result.LossSum} at step {step + 1}: lower the learning rate.");
                optimizer.Step(net.Parameters, gradients);
                step++;
                samples += count;
                await onBatch(new BatchReport(epoch + 1, batch + 1, batches, step, total, result.LossSum / count, (double)result.Correct / count,
                                              samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            }
        }
        return step;
    }

    /// <summary>Accuracy and mean loss of <paramref name="net"/> on <paramref name="data"/>, in chunks of 64, awaiting <paramref name="yield"/> between them.</summary>
    public async Task<(double Accuracy, double Loss)> EvaluateAsync(LeNet5 net, ImageDataset data, PixelNormalization normalization, Func<Task> yield)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(data);
        const int chunk = 64;
        var workspace = net.CreateWorkspace(Lanes, chunk);
        var input = new float[LaneLayout.Length(chunk, LeNet5.InputSize, Lanes)];
        var labels = new int[chunk];
        var indices = new int[chunk];
        var probabilities = new float[chunk * LeNet5.OutputSize];
        int correct = 0;
        double loss = 0;
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            for (int i = 0; i < count; i++) indices[i] = start + i;
            data.PackBatch(indices.AsSpan(0, count), Lanes, normalization, input, labels);
            net.Infer(workspace, input, count, probabilities);
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<float> p = probabilities.AsSpan(s * LeNet5.OutputSize, LeNet5.OutputSize);
                loss += Metrics.CrossEntropy(p, labels[s]);
                if (Metrics.ArgMax(p) == labels[s]) correct++;
            }
            await yield();
        }
        return data.Count == 0 ? (0, 0) : ((double)correct / data.Count, loss / data.Count);
    }
}

using System;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Evaluation;

/// <summary>What a network predicts for every sample of a dataset (kept per sample, for the misclassified-digit grid), with loss, accuracy and confusion counts.</summary>
public sealed class PredictionSet
{
    public PredictionSet(int classes, int[] labels, int[] predicted, float[] probabilities, double lossSum)
    {
        Classes = classes;
        Labels = labels;
        Predicted = predicted;
        Probabilities = probabilities;
        Count = labels.Length;
        LossSum = lossSum;
        Confusion = new int[classes, classes];
        for (int i = 0; i < Count; i++)
        {
            Confusion[labels[i], predicted[i]]++;
            if (labels[i] == predicted[i]) Correct++;
        }
    }

    public int Classes { get; }
    public int Count { get; }
    /// <summary>True label of each sample.</summary>
    public int[] Labels { get; }
    /// <summary>Arg-max class of each sample.</summary>
    public int[] Predicted { get; }
    /// <summary>Count x Classes softmax outputs, sample by sample.</summary>
    public float[] Probabilities { get; }
    public double LossSum { get; }
    public int Correct { get; }
    /// <summary>[true, predicted] counts.</summary>
    public int[,] Confusion { get; }

    /// <summary>Mean cross-entropy.</summary>
    public double Loss => LossSum / Count;
    public double Accuracy => (double)Correct / Count;

    /// <summary>Accuracy among the samples whose true class is <paramref name="label"/> (recall), NaN if there are none.</summary>
    public double ClassAccuracy(int label)
    {
        int total = 0;
        for (int p = 0; p < Classes; p++) total += Confusion[label, p];
        return total == 0 ? double.NaN : (double)Confusion[label, label] / total;
    }

    /// <summary>The probability the network gave its own prediction for sample <paramref name="index"/>.</summary>
    public float Confidence(int index) => Probabilities[index * Classes + Predicted[index]];
}

/// <summary>Inference over a whole dataset on several threads, each with its own workspace.</summary>
public static class Evaluator
{
    /// <summary>Runs <see cref="INetwork.Infer"/> over <paramref name="data"/> in batches of <paramref name="batchSize"/>.</summary>
    public static PredictionSet Run(INetwork network, ImageDataset data, PixelNormalization normalization, int threads,
                                       int lanes = 0, int batchSize = 256, CancellationToken cancellationToken = default)
    {
        if (lanes == 0) lanes = NetworkWorkspace.PreferredLanes;
        int classes = network.OutputSize;
        int count = data.Count;
        var labels = new int[count];
        var predicted = new int[count];
        var probabilities = new float[count * classes];
        int batches = (count + batchSize - 1) / batchSize;
        double lossSum = 0;
        object gate = new();

        Parallel.For(0, batches,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken },
            () => new Scratch(network, lanes, batchSize),
            (batch, _, scratch) =>
            {
                int start = batch * batchSize;
                int n = Math.Min(batchSize, count - start);
                var indices = scratch.Indices.AsSpan(0, n);
                for (int i = 0; i < n; i++) indices[i] = start + i;
                data.PackBatch(indices, lanes, normalization, scratch.Input, scratch.Labels);
                var probs = probabilities.AsSpan(start * classes, n * classes);
                network.Infer(scratch.Workspace, scratch.Input, n, probs);
                // scored as the Trainer scores (the same clamp, the same arg-max), so both report the same test loss
                scratch.Labels.AsSpan(0, n).CopyTo(labels.AsSpan(start, n));
                scratch.LossSum += Metrics.ScoreBatch(probs, scratch.Labels.AsSpan(0, n), classes, confusion: null, predicted.AsSpan(start, n));
                return scratch;
            },
            scratch => { lock (gate) lossSum += scratch.LossSum; });

        return new PredictionSet(classes, labels, predicted, probabilities, lossSum);
    }

    /// <summary>Class probabilities for samples given as pixel bytes (<see cref="INetwork.InputSize"/> each).</summary>
    public static float[] Predict(INetwork network, ReadOnlySpan<byte> pixels, int count, PixelNormalization normalization)
    {
        var data = new ImageDataset(pixels.ToArray(), new byte[count], network.InputChannels, network.InputHeight,
                                    network.InputWidth, network.OutputSize, "input");
        return Run(network, data, normalization, threads: 1, lanes: 1, batchSize: Math.Max(1, count)).Probabilities;
    }

    private sealed class Scratch(INetwork network, int lanes, int batchSize)
    {
        public readonly NetworkWorkspace Workspace = network.CreateWorkspace(lanes, batchSize);
        public readonly float[] Input = new float[LaneLayout.Length(batchSize, network.InputSize, lanes)];
        public readonly int[] Labels = new int[batchSize];
        public readonly int[] Indices = new int[batchSize];
        public double LossSum;
    }
}

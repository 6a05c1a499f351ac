using System;
using CnnGen.Data;

namespace CnnGen.Training;

/// <summary>Per-sample metrics from probabilities, and a simple single-threaded evaluation.</summary>
public static class Metrics
{
    /// <summary>Probabilities below this are clamped before the log, so a confident mistake costs at most about 69.</summary>
    public const float MinProbability = 1e-30f;

    /// <summary>The index of the first maximum (the predicted class).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("ArgMax of an empty span.", nameof(values));
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>Cross-entropy <c>-log(p[label])</c> of one sample's probabilities (clamped at <see cref="MinProbability"/>).</summary>
    public static double CrossEntropy(ReadOnlySpan<float> probabilities, int label)
        => -Math.Log(Math.Max(probabilities[label], MinProbability));

    /// <summary>
    /// Scores one batch of class probabilities (<paramref name="classes"/> per sample, sample-major) against their
    /// labels: adds each sample to <paramref name="confusion"/> (if given), writes its predicted class to
    /// <paramref name="predicted"/> (if not empty), and returns the summed cross-entropy. The one scoring routine of
    /// the Trainer, <see cref="Evaluate"/> and the sample, so that they report the same loss for the same probabilities.
    /// </summary>
    public static double ScoreBatch(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes,
                                    ConfusionMatrix? confusion, Span<int> predicted = default)
    {
        if (probabilities.Length < labels.Length * classes)
            throw new ArgumentException($"{labels.Length} samples x {classes} classes need {labels.Length * classes} probabilities, not {probabilities.Length}.", nameof(probabilities));
        double lossSum = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            ReadOnlySpan<float> p = probabilities.Slice(s * classes, classes);
            int best = ArgMax(p);
            lossSum += CrossEntropy(p, labels[s]);
            confusion?.Add(labels[s], best);
            if (!predicted.IsEmpty) predicted[s] = best;
        }
        return lossSum;
    }

    /// <summary>
    /// Evaluates <paramref name="net"/> in inference mode on every sample of <paramref name="data"/>, one thread,
    /// batches of <paramref name="batchSize"/> at <paramref name="lanes"/> (0: <see cref="NetworkWorkspace.PreferredLanes"/>).
    /// </summary>
    public static EvaluationResult Evaluate(INetwork net, ImageDataset data, PixelNormalization normalization, int batchSize = 256, int lanes = 0)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(data);
        Trainer.CheckCompatible(net, data);
        if (lanes == 0) lanes = NetworkWorkspace.PreferredLanes;
        batchSize = Math.Max(1, Math.Min(batchSize, data.Count));
        var workspace = net.CreateWorkspace(lanes, batchSize);
        var input = new float[LaneLayout.Length(batchSize, net.InputSize, lanes)];
        var probabilities = new float[batchSize * net.OutputSize];
        var labels = new int[batchSize];
        var indices = new int[batchSize];
        var confusion = new ConfusionMatrix(net.OutputSize);
        double lossSum = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            for (int i = 0; i < count; i++) indices[i] = start + i;
            data.PackBatch(indices.AsSpan(0, count), lanes, normalization, input, labels);
            net.Infer(workspace, input, count, probabilities);
            lossSum += ScoreBatch(probabilities, labels.AsSpan(0, count), net.OutputSize, confusion);
        }
        return new EvaluationResult(data.Count == 0 ? 0 : lossSum / data.Count, confusion.Accuracy, data.Count, confusion);
    }
}

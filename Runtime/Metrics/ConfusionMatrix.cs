using System;
using System.Globalization;
using System.Text;
using CnnGen.Data;

namespace CnnGen.Training;

/// <summary>Counts of (actual class, predicted class) pairs, with accuracy and per-class accuracy.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>An empty matrix over <paramref name="classCount"/> classes.</summary>
    public ConfusionMatrix(int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A confusion matrix needs at least one class.");
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int ClassCount { get; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[Index(actual, predicted)];

    /// <summary>Samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>Samples predicted correctly (the diagonal).</summary>
    public long Correct { get; private set; }

    /// <summary>Correct / Total (0 when empty).</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

    /// <summary>Counts one sample.</summary>
    public void Add(int actual, int predicted)
    {
        _counts[Index(actual, predicted)]++;
        Total++;
        if (actual == predicted) Correct++;
    }

    /// <summary>Adds every count of <paramref name="other"/> (same class count) to this matrix.</summary>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
            throw new ArgumentException($"Cannot add a {other.ClassCount}-class confusion matrix to a {ClassCount}-class one.", nameof(other));
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Total += other.Total;
        Correct += other.Correct;
    }

    /// <summary>Sets every count to 0.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        Total = 0;
        Correct = 0;
    }

    /// <summary>Samples of class <paramref name="actual"/>.</summary>
    public long ClassTotal(int actual)
    {
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += this[actual, p];
        return sum;
    }

    /// <summary>Accuracy on the samples of one class (recall); NaN when the class has no samples.</summary>
    public double ClassAccuracy(int actual)
    {
        long total = ClassTotal(actual);
        return total == 0 ? double.NaN : (double)this[actual, actual] / total;
    }

    /// <summary><see cref="ClassAccuracy"/> of every class.</summary>
    public double[] PerClassAccuracy()
    {
        var result = new double[ClassCount];
        for (int c = 0; c < ClassCount; c++) result[c] = ClassAccuracy(c);
        return result;
    }

    /// <summary>A table: one row per actual class, one column per predicted class, then the class accuracy.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        int width = Math.Max(5, 1 + Total.ToString(CultureInfo.InvariantCulture).Length);
        text.Append("actual\\pred");
        for (int p = 0; p < ClassCount; p++) text.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        text.Append("   acc\n");
        for (int a = 0; a < ClassCount; a++)
        {
            text.Append(a.ToString(CultureInfo.InvariantCulture).PadLeft(11));
            for (int p = 0; p < ClassCount; p++) text.Append(this[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            double accuracy = ClassAccuracy(a);
            text.Append(double.IsNaN(accuracy) ? "     -" : (accuracy * 100).ToString("F1", CultureInfo.InvariantCulture).PadLeft(5) + "%");
            text.Append('\n');
        }
        return text.ToString();
    }

    private int Index(int actual, int predicted)
    {
        if ((uint)actual >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"Classes are 0..{ClassCount - 1}.");
        if ((uint)predicted >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"Classes are 0..{ClassCount - 1}.");
        return actual * ClassCount + predicted;
    }
}

/// <summary>Loss and accuracy of a network over a dataset.</summary>
/// <param name="Loss">Mean cross-entropy per sample.</param>
/// <param name="Accuracy">Fraction of samples whose arg-max is their label.</param>
/// <param name="Count">Samples evaluated.</param>
/// <param name="Confusion">The confusion matrix (per-class accuracy via <see cref="ConfusionMatrix.ClassAccuracy"/>).</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int Count, ConfusionMatrix Confusion);

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

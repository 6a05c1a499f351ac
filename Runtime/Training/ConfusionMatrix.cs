using System;
using System.Globalization;
using System.Text;

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

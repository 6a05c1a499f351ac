using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using ScottPlot;
using SkiaSharp;

namespace CnnGen.Sample.Mnist.Reporting;

/// <summary>One finished epoch, as plotted and printed.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy,
                                 TimeSpan Duration, double LearningRate);

/// <summary>The PNG files written at the end of training: learning curves, confusion matrix, misclassified images.</summary>
public static class Charts
{
    /// <summary>Loss (left) and accuracy (right) per epoch, train and <paramref name="monitored"/> ("test" or "validation").</summary>
    public static void TrainingCurves(IReadOnlyList<EpochRecord> history, string path, string monitored = "test")
    {
        double[] epochs = [.. history.Select(h => (double)h.Epoch)];

        var loss = new Plot();
        AddSeries(loss, epochs, [.. history.Select(h => h.TrainLoss)], "train", Colors.C0);
        AddSeries(loss, epochs, [.. history.Select(h => h.TestLoss)], monitored, Colors.C1);
        loss.Title("Loss (cross-entropy)");
        loss.XLabel("epoch");
        loss.YLabel("mean loss");
        loss.ShowLegend(Alignment.UpperRight);

        var accuracy = new Plot();
        AddSeries(accuracy, epochs, [.. history.Select(h => 100 * h.TrainAccuracy)], "train", Colors.C0);
        AddSeries(accuracy, epochs, [.. history.Select(h => 100 * h.TestAccuracy)], monitored, Colors.C1);
        var target = accuracy.Add.HorizontalLine(99.0, 1, Colors.Gray, LinePattern.Dashed);
        target.LegendText = "99 %";
        accuracy.Title("Accuracy");
        accuracy.XLabel("epoch");
        accuracy.YLabel("accuracy (%)");
        accuracy.ShowLegend(Alignment.LowerRight);
        double lowest = history.Count == 0 ? 90 : history.Min(h => Math.Min(h.TrainAccuracy, h.TestAccuracy)) * 100;
        accuracy.Axes.SetLimitsY(Math.Min(Math.Floor(lowest) - 0.5, 98.5), 100.2);

        foreach (var plot in new[] { loss, accuracy })
        {
            plot.Axes.SetLimitsX(0.5, Math.Max(1, epochs.Length) + 0.5);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        }
        SaveSideBySide(path, 1400, 520, loss, accuracy);
    }

    private static void AddSeries(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 7;
    }

    /// <summary>
    /// Counts of (true, predicted) as a heat map with the numbers written in the cells, the axes labelled with the class
    /// names of <paramref name="classes"/> (MNIST's digits when null).
    /// </summary>
    public static void ConfusionMatrix(int[,] confusion, string path, ModelDataInfo? classes = null)
    {
        classes ??= ModelDataInfo.MnistDefault;
        int n = confusion.GetLength(0);
        var plot = new Plot();
        // Colour by the share of each true class, on a log-like scale, so small confusions are visible too.
        var intensity = new double[n, n];
        for (int t = 0; t < n; t++)
        {
            double rowTotal = 0;
            for (int p = 0; p < n; p++) rowTotal += confusion[t, p];
            for (int p = 0; p < n; p++)
                intensity[t, p] = rowTotal == 0 ? 0 : Math.Log10(1 + 999 * confusion[t, p] / rowTotal) / 3;
        }
        // One square per cell, from white (none) to dark blue (the whole class): row t drawn at y = n-1-t.
        var white = Colors.White;
        var blue = Color.FromHex("#08306B");
        for (int t = 0; t < n; t++)
            for (int p = 0; p < n; p++)
            {
                double y = n - 1 - t;
                var cell = plot.Add.Rectangle(p - 0.5, p + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = white.MixedWith(blue, intensity[t, p]); // moves the fraction f towards blue
                cell.LineColor = Colors.LightGray;
                cell.LineWidth = 1;
            }
        for (int t = 0; t < n; t++)
            for (int p = 0; p < n; p++)
            {
                var text = plot.Add.Text(confusion[t, p].ToString(CultureInfo.InvariantCulture), p, n - 1 - t);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = 15;
                text.LabelBold = t == p;
                text.LabelFontColor = intensity[t, p] > 0.6 ? Colors.White : Colors.Black;
            }
        var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        string[] labels = [.. Enumerable.Range(0, n).Select(classes.NameOf)];
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.Left.SetTicks(ticks, [.. labels.Reverse()]);
        bool longNames = labels.Any(l => l.Length > 2);
        if (longNames)
        {
            // names under the columns, slanted so that they do not overlap
            plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 110;
            plot.Axes.Left.MinimumSize = 110;
        }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        string singular = classes.IsDigits ? "digit" : "class";
        plot.XLabel($"predicted {singular}");
        plot.YLabel($"true {singular}");
        int errors = 0, total = 0;
        for (int t = 0; t < n; t++) for (int p = 0; p < n; p++) { total += confusion[t, p]; if (t != p) errors += confusion[t, p]; }
        plot.Title($"Confusion matrix: {errors} errors in {total:N0} test {classes.Noun}");
        plot.SavePng(path, longNames ? 860 : 760, longNames ? 820 : 720);
    }

    /// <summary>
    /// The misclassified images (up to <paramref name="maximum"/>, most confident mistakes first), each with
    /// "true -> predicted (confidence)" under it in the class names of <paramref name="classes"/> (MNIST's when null).
    /// Images of any height and width are scaled by a whole factor to about 84 pixels (nearest neighbour); one channel is
    /// drawn grey as stored (MNIST: light on dark), three channels as RGB.
    /// </summary>
    public static int Misclassified(ImageDataset data, PredictionSet result, string path, ModelDataInfo? classes = null, int maximum = 100)
    {
        classes ??= ModelDataInfo.MnistDefault;
        if (data.Channels is not (1 or 3))
            throw new ArgumentException($"Dataset '{data.Name}' has {data.Channels} channels; the grid draws 1 (grey) or 3 (RGB).", nameof(data));
        var wrong = Enumerable.Range(0, result.Count)
            .Where(i => result.Predicted[i] != result.Labels[i])
            .OrderByDescending(result.Confidence)
            .Take(maximum)
            .ToArray();

        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var titleFont = new SKFont(typeface, 18);
        using var font = new SKFont(typeface, 13);
        string Caption(int i) => $"{classes.NameOf(result.Labels[i])} \u2192 {classes.NameOf(result.Predicted[i])}  {100 * result.Confidence(i):0}%";

        // one cell per image: the image scaled by a whole factor, as wide as the widest caption
        int scale = Math.Max(1, 84 / Math.Max(data.Width, data.Height));
        int imageWidth = data.Width * scale, imageHeight = data.Height * scale;
        int cell = Math.Max(imageWidth, wrong.Length == 0 ? 0 : (int)Math.Ceiling(wrong.Max(i => font.MeasureText(Caption(i)))) + 4);
        const int pad = 14, caption = 22, header = 44;
        int columns = Math.Clamp(1400 / (cell + pad), 1, 10);
        int rows = Math.Max(1, (wrong.Length + columns - 1) / columns);
        int width = Math.Max(columns * (cell + pad) + pad, 640), height = header + rows * (imageHeight + caption + pad) + pad;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var red = new SKPaint { Color = new SKColor(0xC0, 0x20, 0x20), IsAntialias = true };
        string title = wrong.Length == 0
            ? $"No misclassified test {classes.Noun}"
            : $"Misclassified test {classes.Noun}: {wrong.Length} of {result.Count - result.Correct} errors, most confident first (true \u2192 predicted, confidence)";
        canvas.DrawText(title, pad, 28, SKTextAlign.Left, titleFont, ink);

        int plane = data.Height * data.Width;
        var rgba = new byte[plane * 4];
        for (int k = 0; k < wrong.Length; k++)
        {
            int i = wrong[k];
            int x = pad + k % columns * (cell + pad), y = header + k / columns * (imageHeight + caption + pad);
            // the image as stored (planar C,H,W) to interleaved RGBA
            var pixels = data.Pixels(i);
            for (int p = 0; p < plane; p++)
            {
                rgba[4 * p] = pixels[p];
                rgba[4 * p + 1] = data.Channels == 3 ? pixels[plane + p] : pixels[p];
                rgba[4 * p + 2] = data.Channels == 3 ? pixels[2 * plane + p] : pixels[p];
                rgba[4 * p + 3] = 255;
            }
            using var bitmap = new SKBitmap(new SKImageInfo(data.Width, data.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var image = SKImage.FromBitmap(bitmap);
            float left = x + (cell - imageWidth) / 2f;
            canvas.DrawImage(image, new SKRect(left, y, left + imageWidth, y + imageHeight), new SKSamplingOptions(SKFilterMode.Nearest));
            canvas.DrawText(Caption(i), x + cell / 2f, y + imageHeight + 16, SKTextAlign.Center, font, red);
        }
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        WriteAtomically(path, png.ToArray());
        return wrong.Length;
    }

    private static void SaveSideBySide(string path, int width, int height, params Plot[] plots)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        surface.Canvas.Clear(SKColors.White);
        int each = width / plots.Length;
        for (int i = 0; i < plots.Length; i++)
        {
            // Each plot on its own surface (a plot paints its whole canvas), then placed side by side.
            using var panel = SKSurface.Create(new SKImageInfo(each, height));
            plots[i].Render(panel);
            using var image = panel.Snapshot();
            surface.Canvas.DrawImage(image, i * each, 0);
        }
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        WriteAtomically(path, png.ToArray());
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}

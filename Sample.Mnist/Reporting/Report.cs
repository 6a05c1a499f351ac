using System;
using System.Globalization;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Evaluation;
using Spectre.Console;

namespace CnnGen.Sample.Mnist.Reporting;

/// <summary>The end-of-run report: test accuracy, per-class accuracy and the confusion matrix as tables.</summary>
public static class Report
{
    public static void Final(AppConsole console, PredictionSet result, TimeSpan elapsed, int epochsRun, int epochsPlanned)
    {
        console.Out.WriteLine();
        Accuracy(console, result);
        PerClass(console, result);
        Confusion(console, result);
        string epochs = epochsRun == epochsPlanned ? $"{epochsRun} epochs" : $"{epochsRun} of {epochsPlanned} epochs";
        console.Out.WriteLine($"Time: {Format(elapsed)} in total ({epochs}, data loading and evaluation included).");
    }

    public static void Accuracy(AppConsole console, PredictionSet result) =>
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Test accuracy: {100 * result.Accuracy:0.00}% ({result.Correct:N0} of {result.Count:N0} correct, {result.Count - result.Correct:N0} errors), mean loss {result.Loss:0.0000}"));

    public static void PerClass(AppConsole console, PredictionSet result)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Per-class accuracy");
        table.AddColumn("digit");
        table.AddColumn(new TableColumn("test digits").RightAligned());
        table.AddColumn(new TableColumn("correct").RightAligned());
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        table.AddColumn("most often mistaken for");
        for (int c = 0; c < result.Classes; c++)
        {
            int total = 0, worst = -1;
            for (int p = 0; p < result.Classes; p++)
            {
                total += result.Confusion[c, p];
                if (p != c && result.Confusion[c, p] > 0 && (worst < 0 || result.Confusion[c, p] > result.Confusion[c, worst])) worst = p;
            }
            double accuracy = result.ClassAccuracy(c);
            table.AddRow(
                c.ToString(CultureInfo.InvariantCulture),
                total.ToString("N0", CultureInfo.InvariantCulture),
                result.Confusion[c, c].ToString("N0", CultureInfo.InvariantCulture),
                double.IsNaN(accuracy) ? "-" : (100 * accuracy).ToString("0.00", CultureInfo.InvariantCulture) + "%",
                worst < 0 ? "-" : $"{worst} ({result.Confusion[c, worst]}x)");
        }
        console.Ansi.Write(table);
    }

    public static void Confusion(AppConsole console, PredictionSet result)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title("Confusion matrix (rows: true digit, columns: predicted)");
        table.AddColumn(new TableColumn("true").Centered());
        for (int p = 0; p < result.Classes; p++)
            table.AddColumn(new TableColumn(p.ToString(CultureInfo.InvariantCulture)).RightAligned().Padding(1, 0));
        for (int t = 0; t < result.Classes; t++)
        {
            var cells = new string[result.Classes + 1];
            cells[0] = t.ToString(CultureInfo.InvariantCulture);
            for (int p = 0; p < result.Classes; p++)
            {
                int n = result.Confusion[t, p];
                cells[p + 1] = t == p ? $"[bold]{n}[/]" : n == 0 ? "[grey].[/]" : $"[red]{n}[/]";
            }
            table.AddRow(cells);
        }
        console.Ansi.Write(table);
    }

    public static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" :
        t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" :
        t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}

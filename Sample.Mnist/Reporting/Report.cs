using System;
using System.Globalization;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using Spectre.Console;

namespace CnnGen.Sample.Mnist.Reporting;

/// <summary>
/// The end-of-run report: test accuracy, per-class accuracy and the confusion matrix as tables, with the class names of
/// <see cref="ModelDataInfo"/> ("digit"/"digits" for MNIST, "class"/"images" otherwise).
/// </summary>
public static class Report
{
    public static void Final(AppConsole console, PredictionSet result, ModelDataInfo classes, TimeSpan elapsed, int epochsRun, int epochsPlanned)
    {
        console.Out.WriteLine();
        Accuracy(console, result);
        PerClass(console, result, classes);
        Confusion(console, result, classes);
        string epochs = epochsRun == epochsPlanned ? $"{epochsRun} epochs" : $"{epochsRun} of {epochsPlanned} epochs";
        console.Out.WriteLine($"Time: {Format(elapsed)} in total ({epochs}, data loading and evaluation included).");
    }

    public static void Accuracy(AppConsole console, PredictionSet result) =>
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Test accuracy: {100 * result.Accuracy:0.00}% ({result.Correct:N0} of {result.Count:N0} correct, {result.Count - result.Correct:N0} errors), mean loss {result.Loss:0.0000}"));

    /// <summary>"digit" for MNIST, else "class".</summary>
    public static string Singular(ModelDataInfo classes) => classes.IsDigits ? "digit" : "class";

    public static void PerClass(AppConsole console, PredictionSet result, ModelDataInfo classes)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Per-class accuracy");
        table.AddColumn(Singular(classes));
        table.AddColumn(new TableColumn($"test {classes.Noun}").RightAligned());
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
                Markup.Escape(classes.NameOf(c)),
                total.ToString("N0", CultureInfo.InvariantCulture),
                result.Confusion[c, c].ToString("N0", CultureInfo.InvariantCulture),
                double.IsNaN(accuracy) ? "-" : (100 * accuracy).ToString("0.00", CultureInfo.InvariantCulture) + "%",
                worst < 0 ? "-" : Markup.Escape($"{classes.NameOf(worst)} ({result.Confusion[c, worst]}x)"));
        }
        console.Ansi.Write(table);
    }

    /// <summary>
    /// The matrix with classes as rows and columns. Digits head their columns; other names are long, so rows are
    /// headed "k name" and the columns by the number k alone.
    /// </summary>
    public static void Confusion(AppConsole console, PredictionSet result, ModelDataInfo classes)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Confusion matrix (rows: true {Singular(classes)}, columns: predicted)");
        var first = new TableColumn("true");
        table.AddColumn(classes.IsDigits ? first.Centered() : first.LeftAligned());
        for (int p = 0; p < result.Classes; p++)
            table.AddColumn(new TableColumn(classes.IsDigits ? Markup.Escape(classes.NameOf(p)) : p.ToString(CultureInfo.InvariantCulture))
                .RightAligned().Padding(1, 0));
        for (int t = 0; t < result.Classes; t++)
        {
            var cells = new string[result.Classes + 1];
            cells[0] = Markup.Escape(classes.IsDigits ? classes.NameOf(t) : $"{t.ToString(CultureInfo.InvariantCulture)} {classes.NameOf(t)}");
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

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Sample.Mnist.Images;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>predict</c>: classify test images by index, or image files of digits (PNG, PGM, ...), with a saved model.</summary>
public static class PredictCommand
{
    public static Command Build(CommandContext context)
    {
        var model = App.ModelOption();
        var data = App.DataOption();
        var classes = App.ClassesOption();
        var index = new Option<int[]>("--index", "-i")
        {
            Description = "Index of an image in the test set (of --data, default MNIST: 0-9999); repeat or list several.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "n",
        };
        var images = new Argument<string[]>("images")
        {
            Description = "Image files of single digits: PNG (or JPEG, BMP, GIF, WebP) or PGM. Other sizes are scaled to " +
                          "28 x 28, colour becomes grey, and a dark digit on a light background is inverted.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("predict", "Classify test images (--index; MNIST's unless --data) or image files of digits with a saved model.")
        {
            model, data, classes, index, images,
        };
        command.Validators.Add(r =>
        {
            try
            {
                if ((r.GetValue(index) ?? []).Length == 0 && (r.GetValue(images) ?? []).Length == 0)
                    r.AddError("predict needs --index N or at least one image file");
            }
            catch (InvalidOperationException)
            {
                // A value that did not parse: that error is already reported.
            }
        });
        command.SetAction((parse, token) => System.Threading.Tasks.Task.FromResult(Run(
            parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(index) ?? [], parse.GetValue(images) ?? [], context.With(token),
            parse.GetValue(classes))));
        return command;
    }

    public static int Run(string modelPath, string? data, int[] indices, string[] files, CommandContext context, string? classes = null)
    {
        var console = context.Console;
        // Read every image first so that a bad file fails before any work.
        var loaded = files.Select(f => (File: f, Image: DigitImage.Load(f))).ToList();
        var (net, about) = EvalCommand.LoadModel(modelPath, context);
        if (loaded.Count > 0 && (net.InputChannels, net.InputHeight, net.InputWidth) != (1, DigitImage.Size, DigitImage.Size))
            throw new UserException(
                $"{loaded[0].File}: image files are read as 1x{DigitImage.Size}x{DigitImage.Size} grey digits, but network {net.Name} takes " +
                $"{net.InputChannels}x{net.InputHeight}x{net.InputWidth}; classify its test images with --index instead.");

        int correct = 0;
        if (indices.Length > 0)
        {
            var test = EvalCommand.LoadTest(net, about, data, classes, context).Test;
            foreach (int i in indices)
                if (i < 0 || i >= test.Count)
                    throw new UserException($"--index {i} is outside the test set (0 to {test.Count - 1}).");
            var pixels = new byte[indices.Length * net.InputSize];
            for (int k = 0; k < indices.Length; k++) test.Pixels(indices[k]).CopyTo(pixels.AsSpan(k * net.InputSize));
            float[] probabilities = Evaluator.Predict(net, pixels, indices.Length, about.Normalization);
            for (int k = 0; k < indices.Length; k++)
            {
                int label = test.Label(indices[k]);
                var p = probabilities.AsSpan(k * net.OutputSize, net.OutputSize);
                bool right = ArgMax(p) == label;
                if (right) correct++;
                console.Out.WriteLine($"test #{indices[k]} (label {about.NameOf(label)}): {Describe(p, about)}  {(right ? "correct" : "WRONG")}");
            }
        }
        if (loaded.Count > 0)
        {
            var pixels = new byte[loaded.Count * net.InputSize];
            for (int k = 0; k < loaded.Count; k++) loaded[k].Image.Pixels.CopyTo(pixels.AsSpan(k * net.InputSize));
            float[] probabilities = Evaluator.Predict(net, pixels, loaded.Count, about.Normalization);
            for (int k = 0; k < loaded.Count; k++)
            {
                var p = probabilities.AsSpan(k * net.OutputSize, net.OutputSize);
                string notes = loaded[k].Image.Notes.Count == 0 ? "" : $"  ({string.Join("; ", loaded[k].Image.Notes)})";
                console.Out.WriteLine($"{loaded[k].File}: {Describe(p, about)}{notes}");
            }
        }
        if (indices.Length > 1)
            console.Out.WriteLine($"{correct} of {indices.Length} test {about.Noun} correct.");
        return App.Ok;
    }

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
        return best;
    }

    /// <summary>"7 (99.81%), then 3 (0.12%)", or with names: "Ankle boot (93.10%), then Sneaker (5.02%)".</summary>
    public static string Describe(ReadOnlySpan<float> p, ModelDataInfo? classes = null)
    {
        classes ??= ModelDataInfo.MnistDefault;
        var order = new List<int>(Enumerable.Range(0, p.Length));
        var copy = p.ToArray();
        order.Sort((a, b) => copy[b].CompareTo(copy[a]));
        return string.Create(CultureInfo.InvariantCulture,
            $"{classes.NameOf(order[0])} ({100 * copy[order[0]]:0.00}%), then {classes.NameOf(order[1])} ({100 * copy[order[1]]:0.00}%)");
    }
}

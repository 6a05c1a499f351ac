using CnnGen.Sample.Mnist.Networks;
using System.CommandLine;
using System.Linq;
using System.IO;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Sample.Mnist.Reporting;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>eval</c>: a saved model on a test set (MNIST's by default), with per-class accuracy and the confusion matrix.</summary>
public static class EvalCommand
{
    public static Command Build(CommandContext context)
    {
        var model = App.ModelOption();
        var data = App.DataOption();
        var classes = App.ClassesOption();
        var threads = App.ThreadsOption();
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first n test images only.", HelpName = "n" };
        testLimit.Validators.Add(r => { if (App.TryGetValue(r, out int? v) && v is < 1) r.AddError("--test-limit must be at least 1"); });
        var command = new Command("eval", "Evaluate a saved model on a test set (default: the 10,000 MNIST test digits).")
        {
            model, data, classes, threads, testLimit,
        };
        command.SetAction((parse, token) => System.Threading.Tasks.Task.FromResult(Run(
            parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(threads), parse.GetValue(testLimit), context.With(token),
            parse.GetValue(classes))));
        return command;
    }

    public static int Run(string modelPath, string? data, int threads, int? testLimit, CommandContext context, string? classes = null)
    {
        var (net, about) = LoadModel(modelPath, context);
        var test = LoadTest(net, about, data, classes, context).Test;
        if (testLimit is { } limit) test = test.Take(limit);
        var result = Evaluator.Run(net, test, about.Normalization, threads, cancellationToken: context.CancellationToken);
        Report.Accuracy(context.Console, result);
        Report.PerClass(context.Console, result, about);
        Report.Confusion(context.Console, result, about);
        return App.Ok;
    }

    /// <summary>
    /// The test split of <paramref name="data"/> (MNIST by default), checked against the model: the image shape must be the
    /// network's input and the labels within the classes the model was trained on. Warns when a known data set differs
    /// from the one the model names.
    /// </summary>
    public static LoadedData LoadTest(INetwork net, ModelDataInfo about, string? data, string? classes, CommandContext context)
    {
        var loaded = App.LoadData(new DataSourceOptions { Directory = data, ClassesFile = classes, TestOnly = true }, context);
        DataSource.CheckFits(loaded, net);
        if (loaded.ClassNames.Count > about.ClassNames.Count)
            throw new DataException(
                $"--data: {loaded.LabelFiles} hold labels 0..{loaded.ClassNames.Count - 1} ({loaded.ClassNames.Count} classes); " +
                $"the model was trained on {about.ClassNames.Count} classes ({about.Description}).");
        if (loaded.Verified && about.Stored && !loaded.ClassNames.SequenceEqual(about.ClassNames))
            context.Console.Out.WriteLine($"warning: the data is {loaded.Name} but the model was trained on other classes ({about.Description}); " +
                                          "the model's class names are used.");
        return loaded;
    }

    /// <summary>
    /// Makes the network and loads <paramref name="modelPath"/> into it, with a clear error if that fails; returns what
    /// the file says about its data (a version-1 file says nothing: MNIST's normalization and digits are assumed, and this says so).
    /// </summary>
    public static (INetwork Net, ModelDataInfo About) LoadModel(string modelPath, CommandContext context)
    {
        if (Directory.Exists(modelPath))
            throw new UserException($"--model {modelPath} is a directory; give the model file (e.g. {Path.Combine(modelPath, App.ModelFileName)}).");
        if (!File.Exists(modelPath))
            throw new UserException($"No model at {modelPath}: train one first ('train'), or pass --model FILE.");
        // the header names the network class: make that one (a model of another sample network loads into its own class)
        var header = ModelFile.ReadInfo(modelPath);
        var choice = NetworkCatalog.ForClass(header.NetworkName) ?? throw new UserException(
            $"--model {modelPath} was saved from network '{header.NetworkName}' (fingerprint '{header.Fingerprint}'), which this sample does not have; it has " +
            string.Join(", ", NetworkCatalog.All.Select(n => $"{n.Name} ({n.ClassName})")) + ".");
        INetwork net = choice.Create();
        var info = ModelFile.Load(modelPath, net);
        var about = ModelDataInfo.FromModel(modelPath, info);
        context.Console.Out.WriteLine($"Model: {modelPath} ({info.NetworkName}, {info.ParameterCount:N0} parameters)");
        context.Console.Out.WriteLine(about.Stored
            ? $"Trained on: {about.Description}; inputs {about.Normalization}."
            : $"Model file version {info.Version} stores no normalization or class names: using MNIST's " +
              $"({about.Normalization}, digits 0-9).");
        return (net, about);
    }
}

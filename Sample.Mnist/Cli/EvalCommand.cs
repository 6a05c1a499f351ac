using System.CommandLine;
using System.IO;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Sample.Mnist.Reporting;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>eval</c>: a saved model on the MNIST test set, with per-class accuracy and the confusion matrix.</summary>
public static class EvalCommand
{
    public static Command Build(CommandContext context)
    {
        var model = App.ModelOption();
        var data = App.DataOption();
        var threads = App.ThreadsOption();
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first n test digits only.", HelpName = "n" };
        testLimit.Validators.Add(r => { if (App.TryGetValue(r, out int? v) && v is < 1) r.AddError("--test-limit must be at least 1"); });
        var command = new Command("eval", "Evaluate a saved model on the 10,000 MNIST test digits.") { model, data, threads, testLimit };
        command.SetAction((parse, token) => System.Threading.Tasks.Task.FromResult(Run(
            parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(threads), parse.GetValue(testLimit), context.With(token))));
        return command;
    }

    public static int Run(string modelPath, string? data, int threads, int? testLimit, CommandContext context)
    {
        INetwork net = LoadModel(modelPath, context);
        var test = MnistDataset.LoadTest(App.LocateMnist(data, context));
        if (testLimit is { } limit) test = test.Take(limit);
        var result = Evaluator.Run(net, test, MnistDataset.Normalization, threads, cancellationToken: context.CancellationToken);
        Report.Accuracy(context.Console, result);
        Report.PerClass(context.Console, result);
        Report.Confusion(context.Console, result);
        return App.Ok;
    }

    /// <summary>Makes the network and loads <paramref name="modelPath"/> into it, with a clear error if that fails.</summary>
    public static INetwork LoadModel(string modelPath, CommandContext context)
    {
        if (Directory.Exists(modelPath))
            throw new UserException($"--model {modelPath} is a directory; give the model file (e.g. {Path.Combine(modelPath, App.ModelFileName)}).");
        if (!File.Exists(modelPath))
            throw new UserException($"No model at {modelPath}: train one first ('train'), or pass --model FILE.");
        INetwork net = context.CreateNetwork();
        var info = ModelFile.Load(modelPath, net);
        context.Console.Out.WriteLine($"Model: {modelPath} ({info.NetworkName}, {info.ParameterCount:N0} parameters)");
        return net;
    }
}

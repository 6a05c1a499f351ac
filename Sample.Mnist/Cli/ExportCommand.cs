using System.CommandLine;
using System.IO;
using CnnGen.Onnx;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>export</c>: a saved model as an ONNX file (CnnGen.Onnx), with its normalization and class names as metadata.</summary>
public static class ExportCommand
{
    public static Command Build(CommandContext context)
    {
        var model = App.ModelOption();
        var onnx = new Option<string?>("--onnx")
        {
            Description = "The ONNX file to write (opset 13; input 'input' (N, C, H, W), output 'probabilities'). Default: the model file's name with .onnx.",
            HelpName = "file",
        };
        var command = new Command("export", "Write a saved model as an ONNX model, to run in ONNX Runtime or any other ONNX consumer.") { model, onnx };
        command.SetAction((parse, _) => System.Threading.Tasks.Task.FromResult(Run(parse.GetValue(model)!, parse.GetValue(onnx), context)));
        return command;
    }

    public static int Run(string modelPath, string? onnxPath, CommandContext context)
    {
        var (net, about) = EvalCommand.LoadModel(modelPath, context);
        onnxPath ??= Path.ChangeExtension(modelPath, ".onnx");
        if (Directory.Exists(onnxPath))
            throw new UserException($"--onnx {onnxPath} is a directory; give the file to write (e.g. {Path.Combine(onnxPath, Path.GetFileNameWithoutExtension(modelPath) + ".onnx")}).");
        string? directory = Path.GetDirectoryName(Path.GetFullPath(onnxPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        OnnxExporter.Export(net, onnxPath, about.ToMetadata());
        context.Console.Out.WriteLine($"Wrote {onnxPath} ({new FileInfo(onnxPath).Length:N0} bytes): ONNX opset {OnnxNames.Opset}, " +
                                      $"input '{OnnxNames.Input}' (N, {net.InputChannels}, {net.InputHeight}, {net.InputWidth}), output '{OnnxNames.Output}' (N, {net.OutputSize}); " +
                                      $"inputs normalized {about.Normalization} (metadata normalization.mean, normalization.std).");
        return App.Ok;
    }
}

using System.CommandLine;
using System.IO;
using System.Linq;
using CnnGen.Onnx;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Networks;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary>
/// <c>import</c>: the weights of an ONNX model (for example one PyTorch exported) loaded into a sample network (--net) of
/// the same architecture, saved as a model file that <c>eval</c> and <c>predict</c> use.
/// </summary>
public static class ImportCommand
{
    public static Command Build(CommandContext context)
    {
        var onnx = new Option<string?>("--onnx")
        {
            Description = "The ONNX model to read: its graph must be the network of --net, node by node (Conv, Relu, MaxPool, Gemm, ...).",
            HelpName = "file",
        };
        var safetensors = new Option<string?>("--safetensors")
        {
            Description = "Instead of --onnx: a PyTorch state_dict saved as safetensors; its modules, in natural name order, must hold the weights of --net's layers in turn.",
            HelpName = "file",
        };
        var net = TrainCommand.NetOption();
        var model = new Option<string?>("--model", "-m")
        {
            Description = "The model file to write. Default: the ONNX file's name with .model.",
            HelpName = "file",
        };
        var command = new Command("import", "Load the weights of an ONNX model (or a safetensors state_dict) into a network of the sample (--net) and save them as a model file.") { onnx, safetensors, net, model };
        command.SetAction((parse, _) =>
        {
            string? o = parse.GetValue(onnx), st = parse.GetValue(safetensors);
            if ((o is null) == (st is null))
                throw new UserException("import needs exactly one of --onnx FILE and --safetensors FILE.");
            return System.Threading.Tasks.Task.FromResult(o is not null
                ? Run(o, parse.GetValue(net)!, parse.GetValue(model), context)
                : RunSafetensors(st!, parse.GetValue(net)!, parse.GetValue(model), context));
        });
        return command;
    }

    /// <summary>A safetensors state_dict: weights only (no graph, no normalization: MNIST's is assumed, and said).</summary>
    public static int RunSafetensors(string path, string netName, string? modelPath, CommandContext context)
    {
        var choice = NetworkCatalog.Get(netName);
        INetwork net = choice.Create();
        var result = SafetensorsImporter.Load(path, net);
        var about = ModelDataInfo.MnistDefault with { Description = $"imported from {Path.GetFileName(path)} (safetensors)" };
        modelPath = Save(modelPath, path, net, about);
        context.Console.Out.WriteLine($"Read {path}: {result.TensorsMatched} tensors matched {choice.ClassName}'s layers, {net.ParameterCount:N0} parameters.");
        context.Console.Out.WriteLine($"Wrote {modelPath}; inputs normalized {about.Normalization} (MNIST's: a state_dict records no normalization).");
        return App.Ok;
    }

    private static string Save(string? modelPath, string source, INetwork net, ModelDataInfo about)
    {
        modelPath ??= Path.ChangeExtension(source, ".model");
        string? directory = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        ModelFile.Save(modelPath, net, (about with { Stored = true }).ToMetadata());
        return modelPath;
    }

    public static int Run(string onnxPath, string netName, string? modelPath, CommandContext context)
    {
        var choice = NetworkCatalog.Get(netName);
        INetwork net = choice.Create();
        var result = OnnxImporter.Load(onnxPath, net);
        // the normalization the ONNX file records (a CnnGen export does), else MNIST's, and says which
        var about = ModelDataInfo.MnistDefault with { Description = $"imported from {Path.GetFileName(onnxPath)} ({result.Producer})" };
        bool stated = result.Metadata.ContainsKey(ModelDataInfo.MeanKey) && result.Metadata.ContainsKey(ModelDataInfo.StdKey);
        if (stated)
            about = ModelDataInfo.FromModel(onnxPath, new ModelFileInfo(ModelFile.FormatVersion, false, net.Name, net.Fingerprint, net.ParameterCount, net.StateCount, 0)
            {
                Metadata = new ModelMetadata(result.Metadata.Where(m => m.Key.Length > 0)),
            }) with { Description = about.Description };
        modelPath = Save(modelPath, onnxPath, net, about);
        context.Console.Out.WriteLine($"Read {onnxPath} ({result.Producer}): {result.NodesMatched} nodes matched {choice.ClassName}'s layers, {net.ParameterCount:N0} parameters.");
        context.Console.Out.WriteLine($"Wrote {modelPath}; inputs normalized {about.Normalization}" +
                                      (stated ? " (as the ONNX file's metadata says)." : " (MNIST's: the ONNX file records no normalization)."));
        return App.Ok;
    }
}

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
        var onnx = new Option<string>("--onnx")
        {
            Description = "The ONNX model to read: its graph must be the network of --net, node by node (Conv, Relu, MaxPool, Gemm, ...).",
            HelpName = "file",
            Required = true,
        };
        var net = TrainCommand.NetOption();
        var model = new Option<string?>("--model", "-m")
        {
            Description = "The model file to write. Default: the ONNX file's name with .model.",
            HelpName = "file",
        };
        var command = new Command("import", "Load the weights of an ONNX model into a network of the sample (--net) and save them as a model file.") { onnx, net, model };
        command.SetAction((parse, _) => System.Threading.Tasks.Task.FromResult(Run(parse.GetValue(onnx)!, parse.GetValue(net)!, parse.GetValue(model), context)));
        return command;
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
        modelPath ??= Path.ChangeExtension(onnxPath, ".model");
        string? directory = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        ModelFile.Save(modelPath, net, (about with { Stored = true }).ToMetadata());
        context.Console.Out.WriteLine($"Read {onnxPath} ({result.Producer}): {result.NodesMatched} nodes matched {choice.ClassName}'s layers, {net.ParameterCount:N0} parameters.");
        context.Console.Out.WriteLine($"Wrote {modelPath}; inputs normalized {about.Normalization}" +
                                      (stated ? " (as the ONNX file's metadata says)." : " (MNIST's: the ONNX file records no normalization)."));
        return App.Ok;
    }
}

using System.CommandLine;
using System.IO;
using CnnGen.Onnx;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>declare</c>: the CnnGen declaration (attributes on a partial class) of an ONNX model's graph, for <c>import</c> and <c>OnnxImporter</c>.</summary>
public static class DeclareCommand
{
    public static Command Build(CommandContext context)
    {
        var onnx = new Option<string>("--onnx") { Description = "The ONNX model whose graph to declare.", HelpName = "file", Required = true };
        var className = new Option<string>("--class") { Description = "The class to declare.", HelpName = "name", DefaultValueFactory = _ => "OnnxNet" };
        var ns = new Option<string?>("--namespace") { Description = "Its namespace (default: none).", HelpName = "name" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the C# file here instead of printing it.", HelpName = "file" };
        var command = new Command("declare", "Print the CnnGen declaration of an ONNX model's graph (a [Network] partial class whose generated code the model's weights load into).")
        {
            onnx, className, ns, output,
        };
        command.SetAction((parse, _) =>
        {
            string text = OnnxDeclaration.FromFile(parse.GetValue(onnx)!, parse.GetValue(className)!, parse.GetValue(ns));
            if (parse.GetValue(output) is { } path)
            {
                File.WriteAllText(path, text);
                context.Console.Out.WriteLine($"Wrote {path}");
            }
            else context.Console.Out.Write(text);
            return System.Threading.Tasks.Task.FromResult(App.Ok);
        });
        return command;
    }
}

using System.CommandLine;
using CnnGen.Sample.Mnist.Networks;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>summary</c>: a generated network's layers, output shapes and parameter counts.</summary>
public static class SummaryCommand
{
    public static Command Build(CommandContext context)
    {
        var net = TrainCommand.NetOption();
        var command = new Command("summary", "Print a network's layers with their output shapes and parameter counts (LeNet-5, or --net).") { net };
        command.SetAction((parse, _) =>
        {
            var choice = NetworkCatalog.Get(parse.GetValue(net)!);
            context.Console.Out.WriteLine($"{choice.Name}: {choice.Description}");
            context.Console.Out.WriteLine(choice.Create().Summary.TrimEnd());
            return System.Threading.Tasks.Task.FromResult(App.Ok);
        });
        return command;
    }
}

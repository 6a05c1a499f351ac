using System.CommandLine;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary><c>summary</c>: the generated network's layers, output shapes and parameter counts.</summary>
public static class SummaryCommand
{
    public static Command Build(CommandContext context)
    {
        var command = new Command("summary", "Print LeNet-5's layers with their output shapes and parameter counts.");
        command.SetAction((_, _) =>
        {
            INetwork net = context.CreateNetwork();
            context.Console.Out.WriteLine(net.Summary.TrimEnd());
            return System.Threading.Tasks.Task.FromResult(App.Ok);
        });
        return command;
    }
}

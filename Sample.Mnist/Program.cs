using CnnGen.Sample.Mnist.Cli;

namespace CnnGen.Sample.Mnist;

/// <summary>
/// <c>dotnet run -c Release --project Sample.Mnist</c>: fetches MNIST and trains the generated LeNet-5 on it.
/// <c>--help</c> lists the commands (train, eval, predict, summary) and their options.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => App.Run(args, AppConsole.FromSystem());
}

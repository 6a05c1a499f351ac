using System;
using System.IO;
using Spectre.Console;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary>
/// Where the program writes: plain writers for stdout and stderr, and a Spectre console over stdout for tables
/// and the live progress display. <see cref="Live"/> is false when stdout is not an interactive terminal (CI,
/// a pipe, a test): then progress is printed as plain lines.
/// </summary>
public sealed class AppConsole
{
    public AppConsole(TextWriter output, TextWriter error, IAnsiConsole ansi, bool live)
    {
        Out = output;
        Error = error;
        Ansi = ansi;
        Live = live;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public IAnsiConsole Ansi { get; }
    /// <summary>True when a live progress display can be drawn (an interactive terminal).</summary>
    public bool Live { get; }

    /// <summary>The process's console; live only on a terminal and outside CI.</summary>
    public static AppConsole FromSystem()
    {
        bool ci = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        bool live = !Console.IsOutputRedirected && !ci && AnsiConsole.Profile.Capabilities.Interactive;
        if (live)
            return new AppConsole(Console.Out, Console.Error, AnsiConsole.Console, live: true);
        var plain = Plain(Console.Out, Console.Error);
        // Tables as wide as the terminal if there is one, else wide enough for the confusion matrix.
        plain.Ansi.Profile.Width = Console.IsOutputRedirected ? 120 : Math.Max(80, AnsiConsole.Profile.Width);
        return plain;
    }

    /// <summary>Plain text into the given writers (tests, redirected output): no colours, no live display.</summary>
    public static AppConsole Plain(TextWriter output, TextWriter error)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        ansi.Profile.Width = 120;
        return new AppConsole(output, error, ansi, live: false);
    }
}

/// <summary>A mistake the user can fix (bad file, bad value): printed as one "error:" line, exit code 1, no stack trace.</summary>
public sealed class UserException(string message, Exception? inner = null) : Exception(message, inner);

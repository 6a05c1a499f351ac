using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Benchmarks.Generator;

/// <summary>
/// What compiling CnnGen's output costs, in process with a warm compiler (as the compiler server is in a build):
/// the LeNet-5 project is emitted (binding, lowering, IL, Release) without and with its generated file, alternately,
/// and the medians and their difference are printed; variants of the generated text show which form costs what.
/// Parsing is outside the timed part (the driver parses generated text once either way).
/// </summary>
public static class CompileCost
{
    public static void Run(int reps)
    {
        var project = Sources.LeNet5Project().WithOptions(
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable));
        GeneratorBenchmarks.NewDriver().RunGeneratorsAndUpdateCompilation(project, out var generatedCompilation, out _);
        var generated = generatedCompilation.SyntaxTrees.Single(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal));
        string text = generated.ToString();
        var variants = new List<(string Name, SyntaxTree? Tree)>
        {
            ("project alone (no generated file)", null),
            ($"with the generated file ({text.Split('\n').Length:N0} lines)", generated),
            ("the same, nullable analysis off throughout", Sources.Parse(text.Replace("#nullable enable", "#nullable disable"), generated.FilePath)),
            ("the same, nullable analysis on throughout", Sources.Parse(text.Replace("#nullable disable", "#nullable enable"), generated.FilePath)),
        };
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (int r = -3; r < reps; r++)
            for (int v = 0; v < variants.Count; v++)
            {
                var compilation = variants[v].Tree is { } tree ? project.AddSyntaxTrees(tree) : project.Clone();
                using var stream = new MemoryStream();
                long start = Stopwatch.GetTimestamp();
                var result = compilation.Emit(stream);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!result.Success)
                    throw new InvalidOperationException($"{variants[v].Name}: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(3)));
                if (r >= 0) times[v].Add(ms);
            }
        double baseline = Median(times[0]);
        Console.WriteLine($"Emit (Release) of the LeNet-5 project, warm, median of {reps} alternating runs:");
        for (int v = 0; v < variants.Count; v++)
            Console.WriteLine($"  {variants[v].Name,-50} {Median(times[v]),8:F1} ms" + (v == 0 ? "" : $"   (+{Median(times[v]) - baseline:F1} ms)"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(x => x).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

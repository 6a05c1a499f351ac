using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>One run of <see cref="CnnGenerator"/> through <see cref="CSharpGeneratorDriver"/>.</summary>
/// <param name="Input">The compilation the generator saw.</param>
/// <param name="Output">The input plus the generated trees.</param>
/// <param name="Driver">The driver after the run; run it again to test caching.</param>
/// <param name="Diagnostics">What the generator reported (ours, plus the driver's own such as CS8785).</param>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    GeneratorDriverRunResult RunResult,
    ImmutableArray<Diagnostic> Diagnostics)
{
    public GeneratorRunResult Result => RunResult.Results.Single();
    public ImmutableArray<GeneratedSourceResult> Sources => Result.GeneratedSources;

    /// <summary>Diagnostics with a CnnGen ID.</summary>
    public ImmutableArray<Diagnostic> CnnDiagnostics => Diagnostics.Where(d => d.Id.StartsWith("CNN", StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>Fails unless the generator threw nothing and the output compiles with no warning or error.</summary>
    public GeneratorRun AssertNoExceptionAndCompilesClean()
    {
        AssertNoGeneratorException();
        var problems = Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0,
            "The output compilation has warnings or errors:\n" + string.Join("\n", problems.Select(Describe)));
        return this;
    }

    /// <summary>Fails if the generator (or the driver on its behalf) threw.</summary>
    public GeneratorRun AssertNoGeneratorException()
    {
        Assert.Null(Result.Exception);
        var crashes = Diagnostics.Where(d => d.Id is "CS8784" or "CS8785" or "AD0001").ToList();
        Assert.True(crashes.Count == 0, "The generator crashed:\n" + string.Join("\n", crashes.Select(Describe)));
        return this;
    }

    /// <summary>Fails if the generator reported anything.</summary>
    public GeneratorRun AssertNoGeneratorDiagnostics()
    {
        Assert.True(Diagnostics.IsEmpty, "Unexpected generator diagnostics:\n" + string.Join("\n", Diagnostics.Select(Describe)));
        return this;
    }

    public string SourceText(string hintName) =>
        Sources.Single(s => s.HintName == hintName).SourceText.ToString();

    /// <summary>The diagnostic, plus the source line it points at (generated lines are otherwise invisible in a test log).</summary>
    private static string Describe(Diagnostic d)
    {
        if (!d.Location.IsInSource) return d.ToString();
        var line = d.Location.SourceTree!.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start);
        return d + "\n    " + line.ToString().Trim();
    }
}

/// <summary>Builds in-memory compilations that reference the running BCL and CnnGen.Runtime, and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    // C# 12: what a .NET 8 SDK compiles; the generated code must build there too.
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        // The framework: every trusted-platform assembly that lives beside System.Private.CoreLib.
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        var framework = tpa.Where(p => p.Length > 0 && string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal));
        return framework
            .Append(typeof(CnnGen.INetwork).Assembly.Location)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    /// <summary>A library compilation of the given files (<c>Test0.cs</c>, <c>Test1.cs</c>...), nullable enabled, highest warning wave.</summary>
    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: FileName(i))),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                deterministic: true));

    public static string FileName(int index) => $"Test{index}.cs";

    public static GeneratorDriver CreateDriver() => CreateDriver(null);

    /// <summary>A driver that passes <paramref name="files"/> as the project's additional files (with their build metadata).</summary>
    public static GeneratorDriver CreateDriver(AdditionalFiles? files) =>
        CSharpGeneratorDriver.Create(
            new[] { new CnnGenerator().AsSourceGenerator() },
            additionalTexts: files?.Texts,
            parseOptions: ParseOptions,
            optionsProvider: files?.Options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    public static GeneratorRun Run(AdditionalFiles files, params string[] sources) => Run(CreateDriver(files), CreateCompilation(sources));

    public static GeneratorRun Run(CSharpCompilation compilation) => Run(CreateDriver(), compilation);

    /// <summary>Runs <paramref name="driver"/> (fresh, or from an earlier run to test caching) on <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, CSharpCompilation compilation)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(compilation, output, driver, driver.GetRunResult(), diagnostics);
    }

    /// <summary>Runs and asserts: no generator exception, no generator diagnostic, output compiles with no warning.</summary>
    public static GeneratorRun RunClean(params string[] sources) =>
        Run(sources).AssertNoGeneratorDiagnostics().AssertNoExceptionAndCompilesClean();
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace CnnGen.CodeFixes.Tests;

/// <summary>
/// A code-fix test whose diagnostics come from the real generator (run by the testing library on every state, as the
/// IDE runs it) over the real CnnGen.Runtime attributes. The source before carries every expected diagnostic as
/// markup (<c>{|CNN004:Conv2D(8, 9)|}</c>); the fixed source must match <c>FixedCode</c> exactly and, with its
/// generated code, have no CnnGen diagnostic and no compiler error (the library compares the fixed state's
/// diagnostics, generator ones included, with its empty expectation). "Fix all" in document, project and solution
/// is checked too.
/// </summary>
internal sealed class CnnFixTest<TFix> : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, TFix, DefaultVerifier>
    where TFix : CodeFixProvider, new()
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        // The running framework (net10.0) plus CnnGen.Runtime: no reference pack to download.
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        return tpa.Where(p => p.Length > 0 && string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal))
            .Append(typeof(CnnGen.INetwork).Assembly.Location)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    public CnnFixTest()
    {
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(References.Value);
        // The generated files are thousands of lines; Generator.Tests pins them by snapshot. Here they must compile.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    /// <summary>False runs no generator (then nothing reports a CnnGen diagnostic: the harness test proves they come from it).</summary>
    public bool RunGenerator { get; init; } = true;

    protected override IEnumerable<Type> GetSourceGenerators() => RunGenerator ? new[] { typeof(CnnGenerator) } : Array.Empty<Type>();

    // C# 12: what a .NET 8 SDK compiles (as Generator.Tests).
    protected override ParseOptions CreateParseOptions() =>
        ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion.CSharp12);

    protected override CompilationOptions CreateCompilationOptions() =>
        ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);
}

internal static class Verify<TFix> where TFix : CodeFixProvider, new()
{
    /// <summary>Applies the one fix offered for the marked diagnostics and compares with <paramref name="after"/>.</summary>
    public static Task FixAsync(string before, string after, int? iterations = null)
    {
        var test = new CnnFixTest<TFix> { TestCode = before, FixedCode = after };
        if (iterations is int n) test.NumberOfFixAllIterations = n;
        return test.RunAsync();
    }

    /// <summary>The marked diagnostics are reported, and no fix is offered for them.</summary>
    public static Task NoFixAsync(string source) =>
        new CnnFixTest<TFix> { TestCode = source, FixedCode = source }.RunAsync();
}

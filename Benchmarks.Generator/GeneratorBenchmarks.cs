using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Benchmarks.Generator;

/// <summary>
/// The generator driver as a build or the IDE runs it. Each method starts from a new compilation (a clone, or the
/// project with one tree replaced: what a keystroke gives the IDE), so symbol binding done for the generator is
/// measured; parsing is not (it is done once in setup). "Full" runs start from a new driver; the edits start from a
/// driver that has already run on the project, so they measure what the cache saves. Generated code is not
/// compiled here (see report-analyzer.sh for that share of a build).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly ISourceGenerator Generator = new CnnGenerator().AsSourceGenerator();
    private static readonly ISourceGenerator Floor = new FloorGenerator().AsSourceGenerator();

    private CSharpCompilation _leNet5 = null!, _twenty = null!, _deep = null!;
    private GeneratorDriver _leNet5Warm = null!, _twentyWarm = null!, _leNet5FloorWarm = null!, _twentyFloorWarm = null!;
    private SyntaxTree _settings = null!, _settingsEdited = null!, _twentySettings = null!, _twentySettingsEdited = null!;
    private SyntaxTree _net7 = null!, _net7Edited = null!;

    public static GeneratorDriver NewDriver(bool track = false) => NewDriver(Generator, track);

    private static GeneratorDriver NewDriver(ISourceGenerator generator, bool track = false) =>
        CSharpGeneratorDriver.Create(new[] { generator }, parseOptions: Sources.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    [GlobalSetup]
    public void Setup()
    {
        // Refuse to measure a cache that does not hit: the step reasons must be what the edits promise.
        CacheCheck.Run(print: false);

        _leNet5 = Sources.LeNet5Project();
        _twenty = Sources.TwentyNetworksProject();
        _deep = Sources.Deep60Project();
        _settings = _leNet5.SyntaxTrees.Single(t => t.FilePath == "Settings.cs");
        _settingsEdited = Sources.Edited(_leNet5, "Settings.cs", Sources.Unrelated(2));
        _twentySettings = _twenty.SyntaxTrees.Single(t => t.FilePath == "Settings.cs");
        _twentySettingsEdited = Sources.Edited(_twenty, "Settings.cs", Sources.Unrelated(2));
        _net7 = _twenty.SyntaxTrees.Single(t => t.FilePath == "Net7.cs");
        _net7Edited = Sources.Edited(_twenty, "Net7.cs", Sources.Network(7, kernel: 3));
        _leNet5Warm = NewDriver().RunGenerators(_leNet5);
        _twentyWarm = NewDriver().RunGenerators(_twenty);
        _leNet5FloorWarm = NewDriver(Floor).RunGenerators(_leNet5);
        _twentyFloorWarm = NewDriver(Floor).RunGenerators(_twenty);
    }

    [Benchmark(Description = "LeNet-5, full run")]
    public GeneratorDriver LeNet5Full() => NewDriver().RunGenerators((CSharpCompilation)_leNet5.Clone());

    [Benchmark(Description = "20 networks, full run")]
    public GeneratorDriver TwentyNetworksFull() => NewDriver().RunGenerators((CSharpCompilation)_twenty.Clone());

    [Benchmark(Description = "60-layer network, full run")]
    public GeneratorDriver Deep60Full() => NewDriver().RunGenerators((CSharpCompilation)_deep.Clone());

    [Benchmark(Description = "LeNet-5, unrelated edit (cached)")]
    public GeneratorDriver LeNet5UnrelatedEdit() => _leNet5Warm.RunGenerators(_leNet5.ReplaceSyntaxTree(_settings, _settingsEdited));

    [Benchmark(Description = "20 networks, unrelated edit (cached)")]
    public GeneratorDriver TwentyNetworksUnrelatedEdit() => _twentyWarm.RunGenerators(_twenty.ReplaceSyntaxTree(_twentySettings, _twentySettingsEdited));

    [Benchmark(Description = "LeNet-5, unrelated edit, floor (FloorGenerator)")]
    public GeneratorDriver LeNet5UnrelatedEditFloor() => _leNet5FloorWarm.RunGenerators(_leNet5.ReplaceSyntaxTree(_settings, _settingsEdited));

    [Benchmark(Description = "20 networks, unrelated edit, floor (FloorGenerator)")]
    public GeneratorDriver TwentyNetworksUnrelatedEditFloor() => _twentyFloorWarm.RunGenerators(_twenty.ReplaceSyntaxTree(_twentySettings, _twentySettingsEdited));

    [Benchmark(Description = "20 networks, one kernel edited (one net regenerated)")]
    public GeneratorDriver TwentyNetworksKernelEdit() => _twentyWarm.RunGenerators(_twenty.ReplaceSyntaxTree(_net7, _net7Edited));
}

/// <summary>
/// What any generator keyed on an attribute pays on an edit, whatever it does: the driver's own steps, and for each
/// [Network] class a semantic model, the class symbol and its attributes bound (ForAttributeWithMetadataName needs
/// them to match), with a transform that returns the class name and an output that does nothing. CnnGen's edit
/// figures minus these are what CnnGen's own code costs.
/// </summary>
public sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.ForAttributeWithMetadataName("CnnGen.NetworkAttribute",
            static (node, _) => node is ClassDeclarationSyntax, static (ctx, _) => ctx.TargetSymbol.Name);
        context.RegisterSourceOutput(names, static (_, _) => { });
    }
}

/// <summary>
/// Runs the edits with step tracking and checks the reasons: an unrelated edit leaves every spec and every source
/// output Cached or Unchanged; editing Net7's kernel modifies exactly one spec and regenerates exactly Net7's file.
/// </summary>
public static class CacheCheck
{
    public static void Run(bool print)
    {
        Check("LeNet-5, unrelated edit", Sources.LeNet5Project(), "Settings.cs", Sources.Unrelated(2), expectedModified: 0, print);
        Check("20 networks, unrelated edit", Sources.TwentyNetworksProject(), "Settings.cs", Sources.Unrelated(2), expectedModified: 0, print);
        Check("20 networks, Net7's second kernel 5 -> 3", Sources.TwentyNetworksProject(), "Net7.cs", Sources.Network(7, kernel: 3), expectedModified: 1, print);
    }

    private static void Check(string what, CSharpCompilation compilation, string path, string newText, int expectedModified, bool print)
    {
        var first = GeneratorBenchmarks.NewDriver(track: true).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(t => t.FilePath == path), Sources.Edited(compilation, path, newText));
        var second = first.RunGenerators(edited);
        var before = first.GetRunResult().Results.Single();
        var after = second.GetRunResult().Results.Single();
        var problems = new List<string>();
        if (after.Exception is not null) problems.Add("generator exception: " + after.Exception.Message);
        if (after.Diagnostics.Length > 0) problems.Add("diagnostics: " + string.Join("; ", after.Diagnostics));

        string Reasons(IEnumerable<IncrementalGeneratorRunStep> steps) =>
            string.Join(", ", steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
                .Select(g => $"{g.Count()} {g.Key}"));
        int Count(IEnumerable<IncrementalGeneratorRunStep> steps, IncrementalStepRunReason reason) =>
            steps.SelectMany(s => s.Outputs).Count(o => o.Reason == reason);

        var spec = after.TrackedSteps.TryGetValue(TrackingNames.Spec, out var s) ? s : default;
        var outputs = after.TrackedOutputSteps.SelectMany(kv => kv.Value).ToList();
        if (spec.IsDefault) problems.Add("no tracked Spec step");
        else if (Count(spec, IncrementalStepRunReason.Modified) != expectedModified || Count(spec, IncrementalStepRunReason.New) != 0)
            problems.Add($"Spec step: {Reasons(spec)} (expected {expectedModified} Modified)");
        // Source outputs: the spec output (regenerates) and the diagnostics output; a Modified diagnostics list of
        // an edited net is allowed (its locations moved), a Modified spec output only for the edited one.
        var changedFiles = after.GeneratedSources.Where(g => before.GeneratedSources.Single(b => b.HintName == g.HintName).SourceText.ToString() != g.SourceText.ToString())
            .Select(g => g.HintName).ToList();
        if (changedFiles.Count != expectedModified) problems.Add("regenerated files: " + string.Join(", ", changedFiles));
        if (expectedModified == 0 && Count(outputs, IncrementalStepRunReason.Modified) + Count(outputs, IncrementalStepRunReason.New) != 0)
            problems.Add("source outputs: " + Reasons(outputs));

        if (print)
        {
            Console.WriteLine($"{what}:");
            foreach (var (name, steps) in after.TrackedSteps.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                Console.WriteLine($"  step {name,-15} {Reasons(steps)}");
            Console.WriteLine($"  source outputs       {Reasons(outputs)}");
            Console.WriteLine($"  files regenerated    {(changedFiles.Count == 0 ? "none" : string.Join(", ", changedFiles))}");
        }
        if (problems.Count > 0)
            throw new InvalidOperationException($"{what}: the cache did not behave: " + string.Join(" | ", problems));
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using System.Threading;
using CnnGen.Generator.Tests.Driver;
using CnnGen.Generator.Tests.Numerics;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Properties;

/// <summary>
/// Property tests over random attribute stacks (CsCheck; a failure prints the seed to replay it). Several networks
/// share one compilation, each in its own file, so the figures below cost a few compilations rather than thousands.
/// </summary>
public class GeneratorPropertyTests(ITestOutputHelper output)
{
    // Figures, also quoted in RELIABILITY.md: valid nets compiled, loaded and gradient-checked; invalid ones run
    // through the generator only.
    private const int ValidPerCompilation = 16, ValidSamples = 20;        // 320 valid networks
    private const int InvalidPerCompilation = 25, InvalidSamples = 100;   // 2,500 mutated networks
    private const int ChaosSamples = 40;                                  // 1,000 random stacks

    private static Gen<ulong[]> Seeds(int count) => Gen.ULong.Array[count];

    [Fact]
    public void Valid_random_networks_compile_without_warnings_pass_the_gradient_check_and_Predict_agrees_with_Infer()
    {
        var clock = Stopwatch.StartNew();
        int nets = 0, points = 0, retried = 0, rebatched = 0, weak = 0;
        double worst = 0, worstPredict = 0;
        Seeds(ValidPerCompilation).Sample(seeds =>
        {
            var defs = seeds.Select(RandomNetworks.Valid).ToArray();
            var run = GeneratorHarness.Run(defs.Select((d, i) => d.Render("N" + i)).ToArray());
            run.AssertNoGeneratorException();
            var loud = run.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(loud.Count == 0, "A valid network got generator diagnostics:\n" + string.Join("\n", loud.Select(d => Describe(d, defs))));

            using var image = new MemoryStream();
            var emit = run.Output.Emit(image);
            var problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, "Generated code has warnings or errors:\n" + string.Join("\n", problems.Select(d => Describe(d, defs))));
            image.Position = 0;

            var context = new AssemblyLoadContext("random-networks", isCollectible: true);
            try
            {
                var assembly = context.LoadFromStream(image);
                for (int i = 0; i < defs.Length; i++)
                {
                    var net = (INetwork)Activator.CreateInstance(assembly.GetType("Fuzz.N" + i, throwOnError: true)!)!;
                    NetCases.Randomize(net, seeds[i]);
                    var result = GradientCheck.Run(net, budget: 24, count: 7, seed: seeds[i] % 1000);
                    Interlocked.Increment(ref nets);
                    Interlocked.Add(ref points, result.Checked);
                    Interlocked.Add(ref retried, result.Retried);
                    Interlocked.Add(ref rebatched, result.Rebatched);
                    if (!result.AnyClearlyNonZero) Interlocked.Increment(ref weak);
                    worst = Math.Max(worst, result.Worst);
                    double predict = PredictCheck.AssertAgreesWithInfer(net, count: 5, seed: seeds[i] % 1000, defs[i].Render("N" + i) + "\n" + net.Summary);
                    lock (clock) worstPredict = Math.Max(worstPredict, predict);
                    Assert.True(result.Failures.Count == 0,
                        $"{result.Failures.Count} of {result.Checked} gradients off by more than {GradientCheck.Tolerance} on every batch for\n" +
                        defs[i].Render("N" + i) + "\n" + net.Summary + "\n" + string.Join("\n", result.Failures.Take(10)));
                }
            }
            finally
            {
                context.Unload();
            }
        }, iter: ValidSamples, threads: 1, print: seeds => string.Join("\n", seeds.Select(s => RandomNetworks.Valid(s).Render("N"))));

        output.WriteLine($"valid random networks: {nets} compiled (no warning), loaded and gradient-checked; {points} parameters checked, " +
                         $"max relative error {worst:E2}; {retried} re-checked at smaller steps, {rebatched} on fresh batches; " +
                         $"{weak} nets without a gradient above {GradientCheck.Floor}; Predict at lanes 1/8/16 vs Infer: max |diff| {worstPredict:E2}; " +
                         $"{clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(ValidPerCompilation * ValidSamples, nets);
        Assert.True(retried <= GradientCheck.MaxRetriedFraction * points,
            $"{retried} of {points} points needed a smaller step; kinks cannot explain that many.");
    }

    [Fact]
    public void Invalid_random_networks_get_a_CnnGen_error_on_an_attribute_and_never_crash_the_generator()
    {
        var clock = Stopwatch.StartNew();
        var byId = new SortedDictionary<string, int>();
        int nets = 0;
        Seeds(InvalidPerCompilation).Sample(seeds =>
        {
            var defs = seeds.Select(RandomNetworks.Invalid).ToArray();
            var run = CheckBatch(defs);
            lock (byId)
            {
                nets += defs.Length;
                foreach (var d in run.CnnDiagnostics) byId[d.Id] = byId.GetValueOrDefault(d.Id) + 1;
            }
        }, iter: InvalidSamples, threads: 1, print: seeds => string.Join("\n", seeds.Select(s => RandomNetworks.Invalid(s).ToString())));
        output.WriteLine($"invalid random networks: {nets}, each with a CnnGen error on an attribute; diagnostics by ID: " +
                         string.Join(", ", byId.Select(p => $"{p.Key} {p.Value}")) + $"; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(InvalidPerCompilation * InvalidSamples, nets);
    }

    [Fact]
    public void Random_stacks_with_random_sizes_are_either_reported_or_compile()
    {
        var clock = Stopwatch.StartNew();
        int nets = 0, generated = 0;
        Seeds(InvalidPerCompilation).Sample(seeds =>
        {
            var defs = seeds.Select(RandomNetworks.Chaos).ToArray();
            var run = CheckBatch(defs);
            Interlocked.Add(ref nets, defs.Length);
            Interlocked.Add(ref generated, run.Sources.Length);
        }, iter: ChaosSamples, threads: 1, print: seeds => string.Join("\n", seeds.Select(s => RandomNetworks.Chaos(s).ToString())));
        output.WriteLine($"random stacks: {nets} run, {generated} turned out valid and were generated and compiled; {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// Runs the generator on one file per network and checks each file: no generator exception; every CnnGen
    /// diagnostic sits on an attribute in source; never CNN020 (a caught exception); an expected error where the
    /// case says so; a network without errors is generated; and the whole output compiles without errors or warnings.
    /// </summary>
    private static GeneratorRun CheckBatch(NetDef[] defs)
    {
        var run = GeneratorHarness.Run(defs.Select((d, i) => d.Render("N" + i)).ToArray());
        run.AssertNoGeneratorException();
        foreach (var d in run.Diagnostics)
        {
            Assert.True(d.Id.StartsWith("CNN", StringComparison.Ordinal), "Unexpected driver diagnostic: " + Describe(d, defs));
            Assert.True(d.Id != "CNN020", "Internal error (a caught generator exception): " + Describe(d, defs));
            Assert.True(d.Location.IsInSource, "A CnnGen diagnostic without a source location: " + Describe(d, defs));
            var node = d.Location.SourceTree!.GetRoot().FindNode(d.Location.SourceSpan);
            var attribute = node.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();
            Assert.True(attribute is not null && attribute.Span == d.Location.SourceSpan,
                $"{d.Id} is not located on an attribute but on '{node}': " + Describe(d, defs));
        }
        for (int i = 0; i < defs.Length; i++)
        {
            string file = GeneratorHarness.FileName(i);
            var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath == file).ToList();
            bool generated = run.Sources.Any(s => s.HintName == $"Fuzz.N{i}.g.cs");
            if (defs[i].ExpectedErrors is { } expected)
            {
                Assert.True(errors.Any(e => expected.Contains(e.Id)),
                    $"Expected one of {string.Join(", ", expected)} for {defs[i].Origin}, got [{string.Join(", ", errors.Select(e => e.Id))}]:\n{defs[i].Render("N" + i)}");
            }
            Assert.True(generated == (errors.Count == 0),
                $"{(generated ? "Code generated despite errors" : "No code and no error")} for {defs[i].Origin}:\n{defs[i].Render("N" + i)}" +
                string.Join("\n", errors.Select(e => e.ToString())));
        }
        var compile = run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(compile.Count == 0, "The output does not compile cleanly:\n" + string.Join("\n", compile.Take(10).Select(d => Describe(d, defs))));
        return run;
    }

    /// <summary>
    /// The IDE runs the generator on every keystroke: every prefix of a network's source (typed character by
    /// character, through one driver as the IDE keeps it) gives diagnostics or code, never an exception or CNN020.
    /// </summary>
    [Fact]
    public void Every_prefix_of_a_network_being_typed_is_handled()
    {
        var clock = Stopwatch.StartNew();
        var sources = new List<string>
        {
            """
            using CnnGen;
            namespace Samples
            {
                [Network(1, 28, 28, Unroll = Unroll.Auto)]
                [Conv2D(6, 5, Padding = 2, Name = "C1"), ReLU, MaxPool(2)]
                [Conv2D(16, 5, Stride = 1, Bias = false), LeakyReLU(0.1), AvgPool(2, 2)]
                [Flatten, Dense(120), BatchNorm(Momentum = 0.2), Tanh, Dropout(0.25), Dense(10), Softmax]
                public partial class LeNet5 { }
            }
            """,
        };
        for (ulong s = 1; s <= 4; s++) sources.Add(RandomNetworks.Valid(s * 7919).Render("Typed"));
        int runs = 0;
        foreach (var source in sources)
        {
            var driver = GeneratorHarness.CreateDriver();
            for (int length = 0; length <= source.Length; length++)
            {
                var run = GeneratorHarness.Run(driver, GeneratorHarness.CreateCompilation(source[..length]));
                driver = run.Driver;
                runs++;
                run.AssertNoGeneratorException();
                Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CNN020");
            }
            // and the finished text is clean
            Assert.Empty(GeneratorHarness.Run(driver, GeneratorHarness.CreateCompilation(source)).Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        }
        output.WriteLine($"typing: {runs} generator runs on prefixes of {sources.Count} sources; {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Random deletions of one character range from valid sources (a half-edited attribute): never a crash.</summary>
    [Fact]
    public void Random_edits_of_a_valid_source_never_crash_the_generator()
    {
        var clock = Stopwatch.StartNew();
        int runs = 0;
        Gen.Select(Gen.ULong, Gen.Int[0, 10_000], Gen.Int[1, 12], Gen.Int[0, 3]).Sample((seed, at, length, mode) =>
        {
            string source = RandomNetworks.Valid(seed).Render("Edited");
            at %= source.Length;
            length = Math.Min(length, source.Length - at);
            string edited = mode switch
            {
                0 => source.Remove(at, length),                                            // deleted
                1 => source.Insert(at, new[] { ",", "(", ")", "]", "[", "= ", "-", "\"" }[length % 8]), // a stray token
                2 => source.Remove(at, length).Insert(at, "0"),                            // a number typed over
                _ => source[..at],                                                         // typing stopped here
            };
            var run = GeneratorHarness.Run(edited);
            run.AssertNoGeneratorException();
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CNN020");
            Interlocked.Increment(ref runs);
        }, iter: 2000, threads: 1);
        output.WriteLine($"random edits: {runs} generator runs; {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static string Describe(Diagnostic d, NetDef[] defs)
    {
        string where = "";
        if (d.Location.SourceTree?.FilePath is { } path && path.StartsWith("Test", StringComparison.Ordinal)
            && int.TryParse(path.AsSpan(4, path.Length - 7), out int i) && i < defs.Length)
            where = "\n" + defs[i].Render("N" + i);
        else if (d.Location.IsInSource)
            where = "\n    " + d.Location.SourceTree!.GetText().Lines.GetLineFromPosition(d.Location.SourceSpan.Start).ToString().Trim();
        return d + where;
    }
}

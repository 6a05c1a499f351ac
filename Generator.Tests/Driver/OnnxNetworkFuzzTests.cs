using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using CnnGen.Onnx.Tests;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// Mutated ONNX files (the mutations of Onnx.Tests' fuzz tests) given to [OnnxNetwork]: each one generates a network or is
/// one CNN030 naming the file, never an exception, never an internal error (CNN020). A generated network with other
/// weights than the original file's can only come from a change inside the weight bytes (ONNX carries no checksum).
/// </summary>
public sealed class OnnxNetworkFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261202;

    private const string Source = """
        using CnnGen;
        namespace Samples;

        [OnnxNetwork("m.onnx")]
        public partial class TorchNet { }
        """;

    [Theory]
    [InlineData("lenet5.onnx")]
    [InlineData("kinds.onnx")]
    public void Every_mutation_of_an_ONNX_file_generates_or_is_one_clear_CNN030(string fixture)
    {
        byte[] original = AdditionalFiles.Fixture(fixture);
        var compilation = GeneratorHarness.CreateCompilation(Source);
        string originalWeights = Weights(GeneratorHarness.Run(GeneratorHarness.CreateDriver(new AdditionalFiles().Model("m.onnx", original)), compilation)
            .AssertNoGeneratorDiagnostics())!;
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var slowest = TimeSpan.Zero;
        int tried = 0, compiled = 0;
        // every third mutation of the 950 (the generator's run costs more than an import)
        foreach (var (kind, bytes) in OnnxMutations.All(original, new Random(Seed)).Where((_, i) => i % 3 == 0))
        {
            tried++;
            var clock = Stopwatch.StartNew();
            var run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(new AdditionalFiles().Model("m.onnx", bytes)), compilation);
            clock.Stop();
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            run.AssertNoGeneratorException();
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CNN020");
            string outcome;
            if (run.Diagnostics.IsEmpty)
            {
                Assert.Equal(2, run.Sources.Length);
                string weights = Weights(run)!;
                outcome = weights == originalWeights ? "generated, the original weights" : "generated, other weights";
                // the generated code compiles (checked for the first few: compiling is the slow part)
                if (compiled++ < 3) run.AssertNoExceptionAndCompilesClean();
            }
            else
            {
                var d = Assert.Single(run.Diagnostics);
                string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(d.Id == "CNN030" && message.StartsWith("Network 'TorchNet': ONNX file 'm.onnx': ", StringComparison.Ordinal), $"{kind}: {d}");
                Assert.Empty(run.Sources);
                outcome = "CNN030: " + OnnxMutations.Category(message);
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{kind}: {clock.Elapsed.TotalSeconds:F1} s");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        output.WriteLine($"{fixture}: {tried:N0} mutations of {original.Length:N0} bytes (seed {Seed}), slowest run {slowest.TotalMilliseconds:F0} ms");
        foreach (var (outcome, count) in outcomes) output.WriteLine($"  {count,5:N0}  {outcome}");
        Assert.True(outcomes.Keys.Any(k => k.StartsWith("CNN030", StringComparison.Ordinal)) && outcomes.Keys.Any(k => k.StartsWith("generated", StringComparison.Ordinal)),
            "the mutations neither all load nor all fail");
    }

    private static string? Weights(GeneratorRun run) =>
        run.Sources.FirstOrDefault(s => s.HintName.EndsWith(".OnnxWeights.g.cs", StringComparison.Ordinal)).SourceText?.ToString();
}

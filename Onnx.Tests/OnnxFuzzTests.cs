using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnGen;
using CnnGen.Sample.Mnist;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>
/// Mutated ONNX files (truncated, bits flipped, bytes overwritten, inserted or deleted) are refused with an
/// <see cref="OnnxModelException"/> naming the file, leaving the network untouched, or load; never another exception,
/// never an importer fault, never longer than 5 s. A load with other weights than the original file's can only come
/// from a change inside the weight bytes: ONNX carries no checksum, so such a file is a valid model with other weights.
/// </summary>
public sealed class OnnxFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261202;

    public static IEnumerable<object[]> Bases() =>
    [
        ["pytorch lenet5", (Func<INetwork>)(() => new LeNet5())],
        ["pytorch kinds", (Func<INetwork>)(() => new PyTorchKinds())],
        ["cnngen EveryKindNet", (Func<INetwork>)(() => new EveryKindNet())],
        ["cnngen ResidualNet", (Func<INetwork>)(() => new ResidualNet())],
    ];

    private static byte[] BaseBytes(string name, Func<INetwork> create)
    {
        if (name.StartsWith("pytorch ", StringComparison.Ordinal))
            return File.ReadAllBytes(ImportTests.Fixture(name["pytorch ".Length..] + ".onnx"));
        var net = create();
        Reference.Randomize(net, seed: 9);
        return OnnxExporter.ToBytes(net);
    }

    [Theory]
    [MemberData(nameof(Bases))]
    public void Every_mutation_of_an_ONNX_file_is_refused_clearly_or_loads(string name, Func<INetwork> create)
    {
        byte[] original = BaseBytes(name, create);
        var reference = create();
        OnnxImporter.Load(original, reference, name);
        var random = new Random(Seed);
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var slowest = TimeSpan.Zero;
        var net = create();
        int tried = 0;
        foreach (var (kind, bytes) in OnnxMutations.All(original, random))
        {
            tried++;
            var p = net.Parameters;
            for (int i = 0; i < p.Length; i++) p[i] = i % 5 - 2;
            var marked = p.ToArray();
            var clock = Stopwatch.StartNew();
            string outcome;
            try
            {
                OnnxImporter.Load(bytes, net, "mutated.onnx");
                outcome = net.Parameters.SequenceEqual(reference.Parameters) && net.State.SequenceEqual(reference.State)
                    ? "loaded, the original weights" : "loaded, other weights";
            }
            catch (OnnxModelException e)
            {
                Assert.True(e.FilePath == "mutated.onnx" && e.Message.StartsWith("ONNX file 'mutated.onnx': ", StringComparison.Ordinal), $"{kind}: {e.Message}");
                Assert.False(e.Message.Contains("importer fault", StringComparison.Ordinal), $"{kind}: {e.Message}\n{e.InnerException}");
                Assert.True(marked.AsSpan().SequenceEqual(net.Parameters), $"{kind}: a refused file changed the network");
                outcome = "refused: " + OnnxMutations.Category(e.Message);
            }
            clock.Stop();
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{kind}: {clock.Elapsed.TotalSeconds:F1} s");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        output.WriteLine($"{name}: {tried:N0} mutations of {original.Length:N0} bytes (seed {Seed}), slowest {slowest.TotalMilliseconds:F0} ms");
        foreach (var (outcome, count) in outcomes) output.WriteLine($"  {count,5:N0}  {outcome}");
    }
}

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
        foreach (var (kind, bytes) in Mutations(original, random))
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
                outcome = "refused: " + Category(e);
            }
            clock.Stop();
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{kind}: {clock.Elapsed.TotalSeconds:F1} s");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        output.WriteLine($"{name}: {tried:N0} mutations of {original.Length:N0} bytes (seed {Seed}), slowest {slowest.TotalMilliseconds:F0} ms");
        foreach (var (outcome, count) in outcomes) output.WriteLine($"  {count,5:N0}  {outcome}");
    }

    private static string Category(OnnxModelException e) =>
        e.Message.Contains("truncated or corrupted protobuf", StringComparison.Ordinal) ? "not readable protobuf"
        : e.Message.Contains("is not an ONNX model", StringComparison.Ordinal) || e.Message.Contains("IR version", StringComparison.Ordinal) || e.Message.Contains("operator set", StringComparison.Ordinal) ? "not an ONNX model"
        : e.Message.Contains("CRC-32", StringComparison.Ordinal) ? "graph checksum (CnnGen's metadata) fails"
        : e.Message.Contains("must be finite", StringComparison.Ordinal) ? "a weight not finite"
        : e.Message.Contains("raw data", StringComparison.Ordinal) || e.Message.Contains(" values, not ", StringComparison.Ordinal) || e.Message.Contains(" with dimension ", StringComparison.Ordinal) ? "tensor data and shape disagree"
        : e.Node is not null ? "a node that does not match the declaration"
        : "other (graph input, outputs)";

    /// <summary>250 truncations, 250 single-bit flips, 250 overwrites of 1-16 bytes, 100 insertions and 100 deletions of 1-8 bytes.</summary>
    private static IEnumerable<(string Kind, byte[] Bytes)> Mutations(byte[] original, Random random)
    {
        for (int i = 0; i < 250; i++)
        {
            int length = random.Next(original.Length);
            yield return ($"truncated to {length}", original[..length]);
        }
        for (int i = 0; i < 250; i++)
        {
            var b = (byte[])original.Clone();
            int at = random.Next(b.Length), bit = random.Next(8);
            b[at] ^= (byte)(1 << bit);
            yield return ($"bit {bit} of byte {at} flipped", b);
        }
        for (int i = 0; i < 250; i++)
        {
            var b = (byte[])original.Clone();
            int n = random.Next(1, 17), at = random.Next(b.Length - n);
            random.NextBytes(b.AsSpan(at, n));
            yield return ($"{n} bytes at {at} overwritten", b);
        }
        for (int i = 0; i < 100; i++)
        {
            int n = random.Next(1, 9), at = random.Next(original.Length);
            var extra = new byte[n];
            random.NextBytes(extra);
            yield return ($"{n} bytes inserted at {at}", [.. original[..at], .. extra, .. original[at..]]);
        }
        for (int i = 0; i < 100; i++)
        {
            int n = random.Next(1, 9), at = random.Next(original.Length - n);
            yield return ($"{n} bytes deleted at {at}", [.. original[..at], .. original[(at + n)..]]);
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using CnnGen.Training;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// Corrupted and foreign model files are refused with <see cref="ModelFileException"/> naming the file, and a
/// refused load leaves the network untouched.
/// </summary>
public sealed class ModelFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    public const int Mutations = 3000;
    private readonly string _directory = Directory.CreateTempSubdirectory("cnngen-model-fuzz-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static void AssertRefused(string path, INetwork net, Action load)
    {
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<ModelFileException>(load);
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
        Assert.True(before.AsSpan().SequenceEqual(net.Parameters), "a refused load modified the network");
    }

    [Fact]
    public void Every_mutation_of_a_model_file_is_refused_or_loads_exactly()
    {
        var clock = Stopwatch.StartNew();
        var original = new BlobNet(500);
        original.Fill(0);
        string good = Path.Combine(_directory, "good.model");
        ModelFile.Save(good, original);
        byte[] bytes = File.ReadAllBytes(good);
        string path = Path.Combine(_directory, "mutated.model");
        int refused = 0, loaded = 0;
        Gen.Select(Gen.Int[0, 2], Gen.ULong).Sample((kind, seed) =>
        {
            var r = new Random(unchecked((int)seed));
            byte[] m = bytes.ToArray();
            switch (kind)
            {
                case 0: m = m[..r.Next(0, m.Length)]; break;
                case 1: m = [.. m, .. Enumerable.Range(0, r.Next(1, 64)).Select(_ => (byte)r.Next(256))]; break;
                default: for (int i = r.Next(1, 9); i > 0; i--) m[r.Next(m.Length)] ^= (byte)(1 << r.Next(8)); break;
            }
            File.WriteAllBytes(path, m);
            var net = new BlobNet(500);
            net.Fill(1);
            if (m.AsSpan().SequenceEqual(bytes))
            {
                ModelFile.Load(path, net);
                Assert.Equal(0, net.WhichSet());
                Interlocked.Increment(ref loaded);
                return;
            }
            AssertRefused(path, net, () => ModelFile.Load(path, net));
            Assert.Equal(1, net.WhichSet());
            Interlocked.Increment(ref refused);
        }, iter: Mutations, threads: 1);
        output.WriteLine($"model file fuzzing: {Mutations} truncations, extensions and bit flips: {refused} refused with ModelFileException naming the file " +
                         $"(network untouched), {loaded} unchanged and loaded; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Mutations, refused + loaded);
    }

    [Fact]
    public void Foreign_files_are_refused_with_a_clear_error()
    {
        var net = new BlobNet(500);
        net.Fill(1);
        string Write(string name, byte[] content)
        {
            string p = Path.Combine(_directory, name);
            File.WriteAllBytes(p, content);
            return p;
        }
        var other = new BlobNet(400);
        other.Fill(0);
        string otherModel = Path.Combine(_directory, "other.model");
        ModelFile.Save(otherModel, other);
        var cases = new (string Path, string Expected)[]
        {
            (Write("empty.model", []), "not a CnnGen model file"),
            (Write("text.model", "hello, I am a text file\n"u8.ToArray()), "not a CnnGen model file"),
            (Write("png.model", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]), "not a CnnGen model file"),
            (Write("idx.model", [0, 0, 8, 1, 0, 0, 0, 1, 7]), "not a CnnGen model file"),
            (otherModel, "does not match"),
            (Path.Combine(_directory, "missing.model"), "cannot be read"),
            (_directory, "cannot be read"),
        };
        foreach (var (p, expected) in cases)
        {
            var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(p, net));
            output.WriteLine(e.Message);
            Assert.Contains(expected, e.Message);
            Assert.Contains(p, e.Message);
            Assert.Equal(1, net.WhichSet());
        }
    }
}

using System;
using System.IO;
using System.IO.Compression;
using CnnGen.Sample.Web.Model;
using Xunit;

namespace CnnGen.Sample.Web.Tests;

/// <summary>The page's C# without a browser: MNIST-style digitizing, the generated-source splitter, the init replay, the slice reader.</summary>
public sealed class ModelTests
{
    private static string GeneratedSource()
    {
        // the file the generator wrote for Sample.Web's LeNet5 in this test project's own build (same declaration, linked)
        string dir = Path.Combine(WebAppFixture.RepoRoot, "Sample.Web.Tests", "obj");
        foreach (string file in Directory.EnumerateFiles(dir, "CnnGen.Sample.Web.LeNet5.g.cs", SearchOption.AllDirectories))
            return File.ReadAllText(file);
        throw new FileNotFoundException("No generated CnnGen.Sample.Web.LeNet5.g.cs under " + dir + " (EmitCompilerGeneratedFiles).");
    }

    [Fact]
    public void The_digitizer_fits_the_ink_into_20x20_and_centres_its_mass()
    {
        // a filled 100 x 50 rectangle in the top-left corner of a 280 x 280 pad
        var ink = new byte[280 * 280];
        for (int y = 10; y < 110; y++) for (int x = 20; x < 70; x++) ink[y * 280 + x] = 255;
        byte[] digit = Digitizer.ToMnist(ink, 280, 280);
        int x0 = 28, x1 = -1, y0 = 28, y1 = -1;
        double mx = 0, my = 0, mass = 0;
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++)
        {
            int v = digit[y * 28 + x];
            if (v == 0) continue;
            x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
            mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
        }
        Assert.Equal(20, y1 - y0 + 1); // the longer side is 20
        Assert.Equal(10, x1 - x0 + 1); // aspect ratio kept
        Assert.Equal(14, mx / mass, 0.51);
        Assert.Equal(14, my / mass, 0.51);
    }

    [Fact]
    public void The_digitizer_returns_zeros_for_an_empty_pad_and_rejects_a_wrong_size()
    {
        Assert.All(Digitizer.ToMnist(new byte[280 * 280], 280, 280), v => Assert.Equal(0, v));
        var e = Assert.Throws<ArgumentException>(() => Digitizer.ToMnist(new byte[100], 280, 280));
        Assert.Contains("100 bytes, not 280 x 280", e.Message);
    }

    [Fact]
    public void The_splitter_finds_each_layer_method_by_name_and_only_it()
    {
        var source = new GeneratedSource(GeneratedSource());
        string conv1 = source.Method("Conv1_Forward")!;
        Assert.StartsWith("// Conv1_Forward:", conv1);
        Assert.Contains("private static void Conv1_Forward<TLane>(", conv1);
        Assert.EndsWith("}\n", conv1);
        Assert.DoesNotContain("Conv1_Backward", conv1);
        Assert.Contains("Dense3_Predict<TLane>(", source.Method("Dense3_Predict"));
        Assert.Null(source.Method("Relu1_Forward")); // fused into Pool1: no method
        Assert.Contains("fused into the max pool", source.SectionComment("Relu1"));
        Assert.Null(source.Method("Nope_Forward"));
    }

    [Fact]
    public void The_replayed_initialization_equals_the_generated_InitializeParameters_bit_for_bit()
    {
        var net = new LeNet5();
        foreach (ulong seed in new ulong[] { 0, 1, 42 })
        {
            net.InitializeParameters(seed);
            var replayed = new float[LeNet5.ParameterCount];
            replayed.AsSpan().Fill(float.NaN);
            Initialization.Replay(GeneratedSource(), seed, replayed);
            Assert.True(net.Parameters.SequenceEqual(replayed), $"seed {seed}: the replay differs from InitializeParameters");
        }
    }

    [Fact]
    public void The_replay_refuses_a_statement_it_does_not_know()
    {
        string source = GeneratedSource().Replace("p.Slice(150, 6).Clear(); // conv1_b", "p.Slice(150, 6).Reverse(); // conv1_b");
        var e = Assert.Throws<FormatException>(() => Initialization.Replay(source, 1, new float[LeNet5.ParameterCount]));
        Assert.Contains("cannot replay: 'p.Slice(150, 6).Reverse();", e.Message);
    }

    [Fact]
    public void The_shipped_MNIST_slice_reads_and_a_damaged_one_is_a_clear_error()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(WebAppFixture.RepoRoot, "Sample.Web", "wwwroot", "data", "mnist-slice.bin.gz"));
        var (train, test) = MnistSlice.Read(file);
        Assert.Equal((6000, 1000), (train.Count, test.Count));
        Assert.Equal(5, train.Label(0)); // MNIST's first training digit is a 5, its first test digit a 7
        Assert.Equal(7, test.Label(0));

        Assert.Contains("not a gzip file", Assert.Throws<InvalidDataException>(() => MnistSlice.Read([1, 2, 3])).Message);
        var truncated = new MemoryStream();
        using (var z = new GZipStream(truncated, CompressionLevel.Fastest, leaveOpen: true))
        {
            byte[] raw = Decompress(file);
            z.Write(raw, 0, raw.Length - 100);
        }
        Assert.Contains("expected for 6000 + 1000 images", Assert.Throws<InvalidDataException>(() => MnistSlice.Read(truncated.ToArray())).Message);
        var other = new MemoryStream();
        using (var z = new GZipStream(other, CompressionLevel.Fastest, leaveOpen: true)) z.Write("hello, world, this is not a slice"u8);
        Assert.Contains("not a CnnGen MNIST slice", Assert.Throws<InvalidDataException>(() => MnistSlice.Read(other.ToArray())).Message);
    }

    private static byte[] Decompress(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}

using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using CnnGen.Sample.Mnist;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Onnx.Tests;

/// <summary>
/// PyTorch state_dicts saved as safetensors (Onnx/scripts/export_safetensors.py, checked in) load into the declared
/// networks and compute PyTorch's probabilities; broken and mismatched files are one clear error and change nothing.
/// </summary>
public sealed class SafetensorsTests(ITestOutputHelper output)
{
    private static string Fixture(string name) => ImportTests.Fixture(name);
    private static float[] ReadFloats(string name) => ImportTests.ReadFloats(name);

    [Theory]
    [MemberData(nameof(ImportTests.PyTorchModels), MemberType = typeof(ImportTests))]
    public void A_PyTorch_state_dict_loads_and_gives_PyTorchs_probabilities(string name, Func<INetwork> create)
    {
        var net = create();
        var result = SafetensorsImporter.Load(Fixture(name + ".safetensors"), net);
        Assert.Equal("pt", result.Metadata["format"]);
        var inputs = ReadFloats("inputs.bin");
        int count = inputs.Length / net.InputSize;
        var expected = ReadFloats(name + ".st.probs.bin");
        Assert.Equal(count * net.OutputSize, expected.Length);
        foreach (int lanes in new[] { 1, NetworkWorkspace.PreferredLanes })
        {
            var actual = Reference.Infer(net, inputs, count, lanes);
            double maxdiff = Reference.MaxDiff(expected, actual);
            output.WriteLine($"{name}: {result.TensorsMatched} tensors, {count} inputs at {lanes} lanes, maxdiff against PyTorch {maxdiff:E2}");
            Assert.True(maxdiff <= ImportTests.Tolerance, $"{name}: CnnGen and PyTorch differ by {maxdiff:E3}");
        }
    }

    [Fact]
    public void Modules_are_taken_in_natural_order()
    {
        // kinds has more than ten modules: "10.weight" sorts before "2.weight" as text; loading right proves the order
        var header = ReadHeader(File.ReadAllBytes(Fixture("kinds.safetensors")));
        Assert.Contains("10.weight", header);
        Assert.True(string.CompareOrdinal("10.weight", "2.weight") < 0);
        var net = new PyTorchKinds();
        // 34 tensors in the file, 4 of them BatchNorm's num_batches_tracked (passed over)
        Assert.Equal(30, SafetensorsImporter.Load(Fixture("kinds.safetensors"), net).TensorsMatched);
    }

    public static IEnumerable<object[]> BadFiles()
    {
        byte[] good = File.ReadAllBytes(Fixture("lenet5.safetensors"));
        yield return ["empty", Array.Empty<byte>(), "is 0 bytes long"];
        yield return ["header beyond the end", good[..100], "only 92 follow"];
        yield return ["huge header", Concat(BitConverter.GetBytes(1UL << 40), new byte[16]), "at most 100,000,000 are allowed"];
        yield return ["truncated data", good[..(good.Length - 1000)], "outside the"];
        yield return ["not JSON", Make("{\"a\": ", []), "is not JSON"];
        yield return ["not UTF-8", Concat(BitConverter.GetBytes(7UL), [0x7B, 0x22, 0xC6, 0x22, 0x3A, 0x31, 0x7D]), "not valid UTF-8"]; // {"\xC6":1}
        yield return ["an array", Make("[1, 2]", []), "a JSON Array, not an object"];
        yield return ["no tensors", Make("{\"__metadata__\": {}}", []), "holds no tensors"];
        yield return ["unknown dtype", Make("{\"0.weight\": {\"dtype\": \"F33\", \"shape\": [1], \"data_offsets\": [0, 4]}}", new byte[4]), "unknown dtype 'F33'"];
        yield return ["size mismatch", Make("{\"0.weight\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", new byte[4]), "has 4 bytes of data; shape [2] of F32 takes 8"];
        yield return ["negative dimension", Make("{\"0.weight\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", new byte[4]), "not a non-negative integer"];
        // well-formed files that do not fit LeNet5
        yield return ["half precision", Rewrite(good, "F32", "F16", halve: true), "is F16; layer Conv1 (Conv2D) takes float32"];
        yield return ["a module left over", AddModule(good, "99.weight"), "has modules after the last layer of LeNet5: '99'"];
        yield return ["a missing bias", DropTensor(good, "0.bias"), "module '0' has no 'bias' tensor"];
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_broken_or_mismatched_file_is_one_clear_error_and_changes_nothing(string label, byte[] bytes, string message)
    {
        var net = new LeNet5();
        net.InitializeParameters(3);
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<SafetensorsException>(() => SafetensorsImporter.Load(bytes, net, label + ".safetensors"));
        output.WriteLine($"{label}: {e.Message}");
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"safetensors file '{label}.safetensors': ", e.Message);
        Assert.True(before.AsSpan().SequenceEqual(net.Parameters), $"{label}: the parameters changed");
    }

    [Fact]
    public void A_state_dict_of_another_architecture_names_the_tensor_and_the_layer()
    {
        var e = Assert.Throws<SafetensorsException>(() => SafetensorsImporter.Load(Fixture("lenet5.safetensors"), new WiderLeNet5()));
        Assert.Contains("tensor '0.weight' has shape [6, 1, 5, 5]; layer Conv1 (Conv2D) of WiderLeNet5 needs [8, 1, 5, 5]", e.Message);
        var short5 = Assert.Throws<SafetensorsException>(() => SafetensorsImporter.Load(Fixture("lenet5.safetensors"), new ShortLeNet5()));
        Assert.Contains("tensor '9.weight' has shape [84, 120]; layer Dense2 (Dense) of ShortLeNet5 needs [10, 120]", short5.Message);
        var missing = Assert.Throws<SafetensorsException>(() => SafetensorsImporter.Load(Fixture("lenet5.safetensors"), new PyTorchKinds()));
        output.WriteLine(missing.Message);
        Assert.Contains("of PyTorchKinds needs", missing.Message);
        var io = Assert.Throws<SafetensorsException>(() => SafetensorsImporter.Load(Fixture("no-such.safetensors"), new LeNet5()));
        Assert.Contains("cannot be read", io.Message);
    }

    [Fact]
    public void Every_mutation_of_a_safetensors_file_is_refused_clearly_or_loads()
    {
        // 200 truncations, 200 single-bit flips, 200 overwrites of 1-8 bytes (half of them in the header), seed 20261202
        byte[] good = File.ReadAllBytes(Fixture("kinds.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var rng = new Random(20261202);
        int refused = 0, loaded = 0, changed = 0;
        var original = new PyTorchKinds();
        SafetensorsImporter.Load(good, original, "kinds");
        for (int i = 0; i < 600; i++)
        {
            byte[] bytes;
            if (i < 200) bytes = good[..rng.Next(good.Length)];
            else
            {
                bytes = (byte[])good.Clone();
                int at = rng.Next(i % 2 == 0 ? headerEnd : bytes.Length);
                if (i < 400) bytes[at] ^= (byte)(1 << rng.Next(8));
                else for (int k = 0, n = rng.Next(1, 9); k < n && at + k < bytes.Length; k++) bytes[at + k] = (byte)rng.Next(256);
            }
            var net = new PyTorchKinds();
            try
            {
                SafetensorsImporter.Load(bytes, net, $"mutation {i}");
                loaded++;
                if (!net.Parameters.SequenceEqual(original.Parameters) || !net.State.SequenceEqual(original.State)) changed++;
            }
            catch (SafetensorsException)
            {
                refused++;
            }
        }
        output.WriteLine($"600 mutations of kinds.safetensors ({good.Length:N0} bytes, header {headerEnd:N0}): {refused} refused, {loaded} loaded ({changed} with other weights: safetensors has no checksum)");
        Assert.Equal(600, refused + loaded);
    }

    // ---- crafting files ------------------------------------------------------------------------------------------

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Make(string header, byte[] data)
    {
        var text = Encoding.UTF8.GetBytes(header);
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)text.Length);
        return Concat(length, text, data);
    }

    private static string ReadHeader(byte[] file) => Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));

    private static (Dictionary<string, JsonElement> Header, byte[] Data) Split(byte[] file)
    {
        string header = ReadHeader(file);
        var entries = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(header)!;
        return (entries, file[(8 + Encoding.UTF8.GetByteCount(header))..]);
    }

    private static byte[] Join(Dictionary<string, object> header, byte[] data) => Make(JsonSerializer.Serialize(header), data);

    private static Dictionary<string, object> AsObjects(Dictionary<string, JsonElement> h) => h.ToDictionary(kv => kv.Key, kv => (object)kv.Value);

    /// <summary>Every tensor's dtype renamed; with <paramref name="halve"/>, its byte range halved (as 2-byte values would take).</summary>
    private static byte[] Rewrite(byte[] file, string from, string to, bool halve)
    {
        var (header, data) = Split(file);
        var result = new Dictionary<string, object>();
        foreach (var (key, value) in header)
        {
            if (key == "__metadata__" || value.GetProperty("dtype").GetString() != from) { result[key] = value; continue; }
            var offsets = value.GetProperty("data_offsets");
            long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
            result[key] = new { dtype = to, shape = value.GetProperty("shape"), data_offsets = halve ? new[] { begin / 2, begin / 2 + (end - begin) / 2 } : new[] { begin, end } };
        }
        return Join(result, data);
    }

    private static byte[] AddModule(byte[] file, string name)
    {
        var (header, data) = Split(file);
        var result = AsObjects(header);
        result[name] = new { dtype = "F32", shape = new[] { 1 }, data_offsets = new long[] { data.Length, data.Length + 4 } };
        return Join(result, Concat(data, new byte[4]));
    }

    private static byte[] DropTensor(byte[] file, string name)
    {
        var (header, data) = Split(file);
        var result = AsObjects(header);
        Assert.True(result.Remove(name));
        return Join(result, data);
    }
}

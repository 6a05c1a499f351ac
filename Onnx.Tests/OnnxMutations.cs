using System;
using System.Collections.Generic;

namespace CnnGen.Onnx.Tests;

/// <summary>The mutations the ONNX fuzz tests try (here and, linked, in Generator.Tests for [OnnxNetwork]), and how refusals are counted.</summary>
internal static class OnnxMutations
{
    /// <summary>What a refusal's message says is wrong, in a few words (the tables of RELIABILITY.md).</summary>
    public static string Category(string message) =>
        message.Contains("truncated or corrupted protobuf", StringComparison.Ordinal) ? "not readable protobuf"
        : message.Contains("is not an ONNX model", StringComparison.Ordinal) || message.Contains("IR version", StringComparison.Ordinal) || message.Contains("operator set", StringComparison.Ordinal) ? "not an ONNX model"
        : message.Contains("CRC-32", StringComparison.Ordinal) ? "graph checksum (CnnGen's metadata) fails"
        : message.Contains("must be finite", StringComparison.Ordinal) ? "a weight not finite"
        : message.Contains("raw data", StringComparison.Ordinal) || message.Contains(" values, not ", StringComparison.Ordinal) || message.Contains(" with dimension ", StringComparison.Ordinal) ? "tensor data and shape disagree"
        : message.Contains(": node ", StringComparison.Ordinal) ? "a node that does not match the declaration"
        : "other (graph input, outputs)";

    /// <summary>250 truncations, 250 single-bit flips, 250 overwrites of 1-16 bytes, 100 insertions and 100 deletions of 1-8 bytes.</summary>
    public static IEnumerable<(string Kind, byte[] Bytes)> All(byte[] original, Random random)
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

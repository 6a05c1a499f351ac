using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.IO;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>
/// PERFORMANCE.md rule 3: a method over about 20,000 IL instructions is compiled in MinOpts forever; the budget for
/// emitted methods is 15,000. Counts the IL instructions of every method of every generated network type (and its
/// nested types) in the compiled test assembly, including BigKernelNet with 32 filters of 11x11 on 3 channels.
/// </summary>
public class IlBudgetTests(ITestOutputHelper output)
{
    private const int Budget = 15_000;

    [Fact]
    public void No_generated_method_exceeds_15000_IL_instructions()
    {
        var assembly = typeof(LeNet5).Assembly;
        var networkTypes = assembly.GetTypes().Where(t => typeof(INetwork).IsAssignableFrom(t) && t.Namespace == typeof(LeNet5).Namespace).ToList();
        Assert.Contains(typeof(BigKernelNet), networkTypes);
        Assert.Contains(typeof(LeNet5), networkTypes);

        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var sizes = new List<(string Method, int Instructions, int Bytes)>();
        foreach (var type in networkTypes)
            foreach (var handle in TypeAndNested(metadata, (TypeDefinitionHandle)MetadataTokens.Handle(type.MetadataToken)))
            {
                var typeDefinition = metadata.GetTypeDefinition(handle);
                foreach (var methodHandle in typeDefinition.GetMethods())
                {
                    var method = metadata.GetMethodDefinition(methodHandle);
                    if (method.RelativeVirtualAddress == 0) continue; // abstract or extern
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    var il = body.GetILBytes()!;
                    sizes.Add(($"{type.Name}.{(handle == (TypeDefinitionHandle)MetadataTokens.Handle(type.MetadataToken) ? "" : metadata.GetString(typeDefinition.Name) + ".")}{metadata.GetString(method.Name)}",
                               CountInstructions(il), il.Length));
                }
            }

        Assert.True(sizes.Count > 100);
        foreach (var (method, instructions, bytes) in sizes.OrderByDescending(s => s.Instructions).Take(15))
            output.WriteLine($"{instructions,7} IL instructions {bytes,8} bytes  {method}");
        var largestBig = sizes.Where(s => s.Method.StartsWith(nameof(BigKernelNet) + ".")).Max(s => s.Instructions);
        output.WriteLine($"largest BigKernelNet method: {largestBig} instructions");
        var over = sizes.Where(s => s.Instructions > Budget).ToList();
        Assert.True(over.Count == 0, "Methods over the IL budget: " + string.Join(", ", over.Select(s => $"{s.Method} ({s.Instructions})")));
    }

    [Fact]
    public void Instruction_counter_decodes_one_and_two_byte_opcodes_operands_and_switch()
    {
        // ldarg.0; ldc.i4 1000; switch (2 targets); ldc.r8; call token; ceq (FE 01); ldarg (FE 09, uint16); ret
        byte[] il =
        [
            0x02,
            0x20, 0xE8, 0x03, 0x00, 0x00,
            0x45, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
            0x23, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
            0x28, 0x01, 0x00, 0x00, 0x0A,
            0xFE, 0x01,
            0xFE, 0x09, 0x01, 0x00,
            0x2A,
        ];
        Assert.Equal(8, CountInstructions(il));
    }

    private static IEnumerable<TypeDefinitionHandle> TypeAndNested(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        yield return handle;
        foreach (var nested in metadata.GetTypeDefinition(handle).GetNestedTypes())
            foreach (var inner in TypeAndNested(metadata, nested))
                yield return inner;
    }

    // opcode value -> operand size in bytes (switch is handled separately), built from System.Reflection.Emit.OpCodes
    private static readonly Dictionary<ushort, int> OperandSizes = BuildOperandSizes();

    private static Dictionary<ushort, int> BuildOperandSizes()
    {
        var sizes = new Dictionary<ushort, int>();
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opcode = (OpCode)field.GetValue(null)!;
            sizes[(ushort)opcode.Value] = opcode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => -1,
                _ => 4, // InlineBrTarget, InlineField, InlineI, InlineMethod, InlineSig, InlineString, InlineTok, InlineType, ShortInlineR
            };
        }
        return sizes;
    }

    /// <summary>Walks the IL byte stream instruction by instruction: one- and two-byte (0xFE prefix) opcodes, their operands, switch tables.</summary>
    internal static int CountInstructions(byte[] il)
    {
        int count = 0, at = 0;
        while (at < il.Length)
        {
            ushort value = il[at] == 0xFE ? (ushort)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            if (!OperandSizes.TryGetValue(value, out int operand))
                throw new InvalidDataException($"Unknown IL opcode 0x{value:X} at offset {at}.");
            if (operand < 0)
            {
                // switch: uint32 n, then n int32 targets
                int targets = BitConverter.ToInt32(il, at);
                operand = 4 + 4 * targets;
            }
            at += operand;
            count++;
        }
        if (at != il.Length) throw new InvalidDataException("IL stream ends inside an instruction.");
        return count;
    }
}

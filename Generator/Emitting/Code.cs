using System.Globalization;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

/// <summary>The fragments every printer uses: type names, attributes, number literals, shape comments, slices.</summary>
internal static class Code
{
    public const string Version = "0.1.0";

    public const string RO = "global::System.ReadOnlySpan";
    public const string SP = "global::System.Span";
    public const string Where = "where TLane : unmanaged, global::CnnGen.ILane<TLane>";
    public const string Hot = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";
    public const string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"CnnGen\", \"" + Version + "\")]";

    /// <summary>A lane expression through a ReLU fused into the layer that computes it, when <paramref name="relu"/>.</summary>
    public static string ReluOf(bool relu, string value) => relu ? $"TLane.Max({value}, TLane.Zero)" : value;

    /// <summary>An integer literal.</summary>
    public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal of C#: the value rounded to float, round-trip digits, <c>f</c> suffix.</summary>
    public static string F(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary>A double in round-trip digits, for descriptions and fingerprints.</summary>
    public static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A batch shape comment: <c>(B,6,28,28)</c> or <c>(B,120)</c>.</summary>
    public static string Shape(TensorShape s) => s.IsFlat ? $"(B,{I(s.C)})" : $"(B,{I(s.C)},{I(s.H)},{I(s.W)})";

    /// <summary>A single-sample shape comment: <c>(6,28,28)</c>.</summary>
    public static string Plain(TensorShape s) => Shape(s).Replace("(B,", "(");

    /// <summary>The first <paramref name="length"/> values of a buffer: the input span or a workspace array.</summary>
    public static string SliceOf(string buffer, string length) => buffer == "x" ? $"x.Slice(0, {length})" : ArraySlice(buffer, length);

    /// <summary>The first <paramref name="length"/> values of a workspace array as a span.</summary>
    public static string ArraySlice(string array, string length) => $"{array}.Slice(0, {length})";

    /// <summary>The first <paramref name="size"/> floats of a single-sample buffer as one-sample lanes, for a batch kernel.</summary>
    public static string Lane1s(string buffer, long size) => $"global::CnnGen.Kernels.AsLanes<global::CnnGen.Lane1>({Floats(buffer, I(size))})";

    /// <summary>The first <paramref name="size"/> floats of a single-sample buffer.</summary>
    public static string Floats(string buffer, string size) => $"new {SP}<float>({buffer}, 0, {size})";
}

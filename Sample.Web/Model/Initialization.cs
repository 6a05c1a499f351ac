using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CnnGen.Sample.Web.Model;

/// <summary>
/// The generated <c>InitializeParameters</c>, replayed statement by statement from the generated source into a
/// caller's span, with the same Runtime initializers and random stream: bit for bit the generated method's weights.
/// </summary>
/// <remarks>
/// Why: in the browser (.NET 10's Mono runtime) a field of an <c>[InlineArray]</c> struct larger than 64 KiB is laid out
/// at its size modulo 65,536, so LeNet-5's generated <c>_gradients</c> buffer starts 50,216 bytes after <c>_parameters</c>
/// instead of 246,824 (measured on the <c>?selftest</c> page): <c>Gradients</c> overlaps <c>Parameters</c>, and the
/// generated <c>InitializeParameters</c>, whose last statement clears the gradients, zeroes 80% of the weights it has just
/// drawn. The page therefore never writes the network's own gradient buffer (it trains with its own array) and
/// initializes through this replay, writing only <c>Parameters</c>. Since then the generator keeps such buffers in arrays
/// (inline only below 64 KiB), and on <c>?selftest</c> the generated method gives these weights in the browser too; the
/// replay stays as the page's path and as a check of that.
/// </remarks>
public static partial class Initialization
{
    [GeneratedRegex(@"^\s*global::CnnGen\.Initializers\.(?<kind>HeNormal|GlorotUniform)\(p\.Slice\((?<start>\d+), (?<length>\d+)\), fanIn: (?<fanIn>\d+)(, fanOut: (?<fanOut>\d+))?, ref rng\);")]
    private static partial Regex Draw();

    [GeneratedRegex(@"^\s*p\.Slice\((?<start>\d+), (?<length>\d+)\)\.(?<op>Clear\(\)|Fill\((?<value>[-0-9.eE]+)f\));")]
    private static partial Regex Set();

    /// <summary>
    /// Writes the generated initialization for <paramref name="seed"/> into <paramref name="parameters"/>; throws
    /// <see cref="FormatException"/> when <paramref name="generatedSource"/>'s <c>InitializeParameters</c> has a statement
    /// this does not know, or does not cover every parameter.
    /// </summary>
    public static void Replay(string generatedSource, ulong seed, Span<float> parameters)
    {
        ArgumentNullException.ThrowIfNull(generatedSource);
        string body = new GeneratedSource(generatedSource).Method("InitializeParameters")
            ?? throw new FormatException("The generated source has no InitializeParameters method.");
        var rng = new Rng(seed);
        var covered = new bool[parameters.Length];
        bool started = false;
        foreach (string raw in body.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("var rng = new global::CnnGen.Rng(seed);", StringComparison.Ordinal)) { started = true; continue; }
            if (!started || line is "" or "{" or "}" || line.StartsWith("//", StringComparison.Ordinal) || line.StartsWith("var p = Parameters;", StringComparison.Ordinal)) continue;
            if (line is "Gradients.Clear();" or "State.Clear();") continue; // the page's own buffers
            int start, length;
            if (Draw().Match(raw) is { Success: true } draw)
            {
                (start, length) = (Int(draw, "start"), Int(draw, "length"));
                Span<float> slice = Check(parameters, start, length, line).Slice(start, length);
                if (draw.Groups["kind"].Value == "HeNormal") Initializers.HeNormal(slice, Int(draw, "fanIn"), ref rng);
                else Initializers.GlorotUniform(slice, Int(draw, "fanIn"), Int(draw, "fanOut"), ref rng);
            }
            else if (Set().Match(raw) is { Success: true } set)
            {
                (start, length) = (Int(set, "start"), Int(set, "length"));
                Span<float> slice = Check(parameters, start, length, line).Slice(start, length);
                if (set.Groups["op"].Value == "Clear()") slice.Clear();
                else slice.Fill(float.Parse(set.Groups["value"].Value, CultureInfo.InvariantCulture));
            }
            else throw new FormatException($"InitializeParameters has a statement the page cannot replay: '{line}'.");
            covered.AsSpan(start, length).Fill(true);
        }
        int missing = Array.IndexOf(covered, false);
        if (missing >= 0) throw new FormatException($"InitializeParameters leaves parameter {missing} of {parameters.Length} unset.");
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    private static Span<float> Check(Span<float> parameters, int start, int length, string line) =>
        start + (long)length <= parameters.Length ? parameters : throw new FormatException($"'{line}' runs past the {parameters.Length} parameters.");
}

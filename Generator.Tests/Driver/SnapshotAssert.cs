using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// A small stand-in for Verify.SourceGenerators with the same file names:
/// <c>Snapshots/{TestClass}.{TestMethod}#{HintName}.verified.cs</c> for generated files and
/// <c>Snapshots/{TestClass}.{TestMethod}.verified.txt</c> for diagnostics. On a mismatch or a missing file it
/// writes <c>.received.*</c> beside the verified file and fails; accept by renaming received to verified.
/// </summary>
internal static class SnapshotAssert
{
    private static readonly Regex GeneratedCodeVersion =
        new(@"(GeneratedCode\(""CnnGen"", "")[^""]*(""\))", RegexOptions.CultureInvariant);

    /// <summary>The source directory <c>Generator.Tests/Snapshots</c>, found from this file's path (not bin/).</summary>
    public static string SnapshotDirectory { get; } = FindSnapshotDirectory();

    private static string FindSnapshotDirectory([CallerFilePath] string thisFile = "")
    {
        string directory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "Snapshots"));
        if (!Directory.Exists(directory))
            throw new InvalidOperationException($"Snapshot directory '{directory}' (from [CallerFilePath] '{thisFile}') does not exist.");
        return directory;
    }

    /// <summary>The version in <c>[GeneratedCode("CnnGen", "...")]</c> becomes <c>FIXED_VERSION</c>; line ends become LF.</summary>
    public static string Scrub(string text) =>
        GeneratedCodeVersion.Replace(Normalize(text), "$1FIXED_VERSION$2");

    public static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>Compares every generated file of <paramref name="run"/> with its snapshot.</summary>
    public static void GeneratedSources(object test, GeneratorRun run, [CallerMemberName] string method = "")
    {
        if (run.Sources.IsEmpty)
            throw new XunitException("The generator produced no source to compare.");
        var failures = new List<string>();
        foreach (var source in run.Sources.OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            string hint = Path.GetFileNameWithoutExtension(source.HintName); // "Ns.Class.g"
            string stem = $"{test.GetType().Name}.{method}#{hint}";
            Compare(Scrub(source.SourceText.ToString()), stem, ".cs", failures);
        }
        Fail(failures);
    }

    /// <summary>Compares the generator's diagnostics (sorted by position) with <c>{TestClass}.{TestMethod}.verified.txt</c>.</summary>
    public static void Diagnostics(object test, GeneratorRun run, [CallerMemberName] string method = "")
    {
        var failures = new List<string>();
        Compare(Render(run.Diagnostics), $"{test.GetType().Name}.{method}", ".txt", failures);
        Fail(failures);
    }

    /// <summary>Id, severity, position and message of each diagnostic, then its source line with the span underlined by <c>^</c>.</summary>
    public static string Render(IEnumerable<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        foreach (var d in diagnostics
                     .OrderBy(d => d.Location.SourceTree?.FilePath ?? "", StringComparer.Ordinal)
                     .ThenBy(d => d.Location.SourceSpan.Start)
                     .ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            var span = d.Location.GetLineSpan();
            text.Append(d.Id).Append(' ').Append(d.Severity.ToString());
            if (d.Location.IsInSource)
                text.Append(CultureInfo.InvariantCulture, $" {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})");
            text.Append(": ").Append(d.GetMessage(CultureInfo.InvariantCulture)).Append('\n');
            if (d.Location.IsInSource && d.Location.SourceTree is { } tree)
            {
                var lines = tree.GetText().Lines;
                for (int l = span.StartLinePosition.Line; l <= span.EndLinePosition.Line; l++)
                {
                    TextLine line = lines[l];
                    int from = l == span.StartLinePosition.Line ? span.StartLinePosition.Character : 0;
                    int to = l == span.EndLinePosition.Line ? span.EndLinePosition.Character : line.Span.Length;
                    text.Append("    ").Append(line.ToString().TrimEnd()).Append('\n');
                    text.Append("    ").Append(' ', from).Append('^', Math.Max(1, to - from)).Append('\n');
                }
            }
            text.Append('\n');
        }
        return text.Length == 0 ? "(no diagnostics)\n" : text.ToString();
    }

    private static void Compare(string actual, string stem, string extension, List<string> failures)
    {
        string verified = Path.Combine(SnapshotDirectory, stem + ".verified" + extension);
        string received = Path.Combine(SnapshotDirectory, stem + ".received" + extension);
        if (File.Exists(verified))
        {
            string expected = Normalize(File.ReadAllText(verified));
            if (expected == actual)
            {
                if (File.Exists(received)) File.Delete(received);
                return;
            }
            File.WriteAllText(received, actual);
            failures.Add($"Snapshot mismatch: {verified}\n  {FirstDifference(expected, actual)}\n  received: {received}\n" +
                         $"  accept with: mv '{received}' '{verified}'");
        }
        else
        {
            File.WriteAllText(received, actual);
            failures.Add($"Snapshot missing: {verified}\n  received: {received}\n  accept with: mv '{received}' '{verified}'");
        }
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of file>";
            string al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
                return $"first difference at line {i + 1}:\n    verified: {el}\n    received: {al}";
        }
        return "files differ";
    }

    private static void Fail(List<string> failures)
    {
        if (failures.Count > 0)
            throw new XunitException(string.Join("\n\n", failures));
    }
}

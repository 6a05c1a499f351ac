using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>A diagnostic a test expects: on the marked span number <see cref="Span"/> (in order of appearance), or the i-th span when -1.</summary>
internal readonly record struct Expected(string Id, DiagnosticSeverity Severity, string Message, int Span = -1);

/// <summary>Marks a test that must report <see cref="Id"/>; the coverage test runs it and checks that it did.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TriggersAttribute(string id) : Attribute
{
    public string Id { get; } = id;
}

/// <summary>Marks a test whose (corrected) code must not report <see cref="Id"/>; the coverage test runs it and checks.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class DoesNotTriggerAttribute(string id) : Attribute
{
    public string Id { get; } = id;
}

/// <summary>
/// Asserts the generator's diagnostics against source marked with <c>[|...|]</c>: the exact set of diagnostics, each with
/// ID, severity, exact message and span. Records what was asserted so that <see cref="DiagnosticCoverageTests"/> can
/// prove every descriptor has a triggering and a non-triggering test.
/// </summary>
internal static class DiagnosticAssert
{
    [ThreadStatic] private static HashSet<string>? _reported;
    [ThreadStatic] private static HashSet<string>? _refuted;

    /// <summary>Starts recording the IDs asserted on this thread.</summary>
    public static (HashSet<string> Reported, HashSet<string> Refuted) StartRecording()
    {
        _reported = new HashSet<string>(StringComparer.Ordinal);
        _refuted = new HashSet<string>(StringComparer.Ordinal);
        return (_reported, _refuted);
    }

    /// <summary>Records that the calling test asserted <paramref name="id"/> is reported (for tests that cannot use <see cref="Reports(string[], Expected[])"/>).</summary>
    public static void Record(string id) => _reported?.Add(id);

    /// <summary>All descriptors of <see cref="DiagnosticDescriptors"/>, by reflection.</summary>
    public static ImmutableArray<DiagnosticDescriptor> AllDescriptors { get; } =
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();

    /// <summary>Removes <c>[|</c> and <c>|]</c> from <paramref name="markup"/> and returns the spans they enclosed, in order of their start.</summary>
    public static (string Source, ImmutableArray<TextSpan> Spans) ParseMarkup(string markup)
    {
        var text = new StringBuilder();
        var open = new Stack<int>();
        var spans = new List<TextSpan>();
        for (int i = 0; i < markup.Length; i++)
        {
            if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0) { open.Push(text.Length); i++; continue; }
            if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0)
            {
                Assert.True(open.Count > 0, "Unbalanced |] in markup");
                int start = open.Pop();
                spans.Add(TextSpan.FromBounds(start, text.Length));
                i++;
                continue;
            }
            text.Append(markup[i]);
        }
        Assert.True(open.Count == 0, "Unbalanced [| in markup");
        return (text.ToString(), spans.OrderBy(s => s.Start).ThenBy(s => s.End).ToImmutableArray());
    }

    /// <summary>
    /// Runs the generator on the marked sources (file i is <c>Test{i}.cs</c>) and asserts that it reports exactly
    /// <paramref name="expected"/>: the same IDs, severities, messages and spans, and nothing else. The generator
    /// must not throw and the output must compile with no warning (CnnGen's own diagnostics are not compiler diagnostics).
    /// </summary>
    public static GeneratorRun Reports(string[] markedSources, params Expected[] expected) => Reports(markedSources, null, expected);

    /// <summary>As <see cref="Reports(string[], Expected[])"/>, with <paramref name="files"/> as the project's additional files.</summary>
    public static GeneratorRun Reports(string markedSource, AdditionalFiles files, params Expected[] expected) => Reports(new[] { markedSource }, files, expected);

    private static GeneratorRun Reports(string[] markedSources, AdditionalFiles? files, Expected[] expected)
    {
        var parsed = markedSources.Select(ParseMarkup).ToArray();
        var spans = parsed.SelectMany((p, file) => p.Spans.Select(s => (File: GeneratorHarness.FileName(file), Span: s))).ToList();
        var sources = parsed.Select(p => p.Source).ToArray();
        var run = (files is null ? GeneratorHarness.Run(sources) : GeneratorHarness.Run(files, sources)).AssertNoExceptionAndCompilesClean();

        var actual = run.Diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        string Dump() => "Actual diagnostics:\n" + SnapshotAssert.Render(actual);
        Assert.True(actual.Count == expected.Length, $"Expected {expected.Length} diagnostic(s), got {actual.Count}.\n{Dump()}");

        var unmatched = new List<Diagnostic>(actual);
        for (int i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            int spanIndex = e.Span >= 0 ? e.Span : i;
            Assert.True(spanIndex < spans.Count, $"Expected diagnostic {i} ({e.Id}) refers to marked span {spanIndex}, but the markup has {spans.Count}.");
            var (file, span) = spans[spanIndex];
            var match = unmatched.FirstOrDefault(d => d.Id == e.Id && d.Location.SourceSpan == span && d.Location.SourceTree?.FilePath == file
                                                      && d.GetMessage(CultureInfo.InvariantCulture) == e.Message);
            Assert.True(match is not null,
                $"No diagnostic {e.Id} \"{e.Message}\" at {file} {span} ('{Text(parsed, file, span)}').\n{Dump()}");
            Assert.Equal(e.Severity, match!.Severity);
            Assert.Equal(e.Severity, match.Descriptor.DefaultSeverity);
            Assert.Equal("CnnGen", match.Descriptor.Category);
            Assert.Contains(match.Descriptor, AllDescriptors);
            Assert.True(match.Location.IsInSource);
            unmatched.Remove(match);
            _reported?.Add(e.Id);
        }
        return run;
    }

    public static GeneratorRun Reports(string markedSource, params Expected[] expected) => Reports(new[] { markedSource }, expected);

    /// <summary>
    /// Asserts that the generator reports nothing at all for <paramref name="sources"/> (so in particular not
    /// <paramref name="id"/>), generates exactly one file and that the output compiles with no warning.
    /// </summary>
    public static GeneratorRun DoesNotReport(string id, params string[] sources) => DoesNotReport(id, null, 1, sources);

    /// <summary>
    /// As <see cref="DoesNotReport(string, string[])"/> with <paramref name="files"/> as the project's additional files, for one
    /// [OnnxNetwork] class: two generated files (its code and its weights).
    /// </summary>
    public static GeneratorRun DoesNotReport(string id, AdditionalFiles files, string source) => DoesNotReport(id, files, 2, new[] { source });

    private static GeneratorRun DoesNotReport(string id, AdditionalFiles? files, int generated, string[] sources)
    {
        Assert.Contains(AllDescriptors, d => d.Id == id);
        var run = (files is null ? GeneratorHarness.Run(sources) : GeneratorHarness.Run(files, sources)).AssertNoExceptionAndCompilesClean();
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == id);
        run.AssertNoGeneratorDiagnostics();
        Assert.Equal(generated, run.Sources.Length);
        _refuted?.Add(id);
        return run;
    }

    private static string Text((string Source, ImmutableArray<TextSpan> Spans)[] parsed, string file, TextSpan span)
    {
        int index = int.Parse(file.Substring(4, file.Length - 7), CultureInfo.InvariantCulture);
        return parsed[index].Source.Substring(span.Start, span.Length);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace CnnGen.CodeFixes.Tests;

/// <summary>Help links, docs/diagnostics.md and the release-tracking files agree with the descriptors the generator ships.</summary>
public class DocsTests
{
    private const string RepositoryUrl = "https://github.com/cnngen/cnngen";

    /// <summary>The descriptors in CnnGen.Generator.dll (the copy that reports), read by reflection.</summary>
    private static List<DiagnosticDescriptor> Descriptors()
    {
        var type = typeof(CnnGenerator).Assembly.GetType("CnnGen.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        return type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
    }

    private static string Docs() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "diagnostics.md"));

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant(), @"[^\p{L}\p{Nd}\s_-]", "").Replace(' ', '-');

    [Fact]
    public void Every_descriptor_links_to_its_own_section_of_docs_diagnostics_md()
    {
        var anchors = Regex.Matches(Docs(), @"^#{1,6} (.+)$", RegexOptions.Multiline).Select(m => Anchor(m.Groups[1].Value)).ToHashSet();
        var descriptors = Descriptors();
        Assert.Equal(31, descriptors.Count); // CNN001-CNN031
        foreach (var d in descriptors)
        {
            string prefix = RepositoryUrl + "/blob/main/docs/diagnostics.md#";
            Assert.StartsWith(prefix, d.HelpLinkUri);
            string anchor = d.HelpLinkUri.Substring(prefix.Length);
            Assert.True(anchor == d.Id.ToLowerInvariant(), $"{d.Id} links to #{anchor}");
            Assert.True(anchors.Contains(anchor), $"docs/diagnostics.md has no heading for #{anchor} ({d.Id})");
        }
    }

    /// <summary>Each section says what triggers it, shows an example in a code block, and says how to fix it.</summary>
    [Fact]
    public void Every_section_has_a_trigger_an_example_and_a_fix()
    {
        var sections = Regex.Split(Docs(), @"^## ", RegexOptions.Multiline).Skip(1).ToDictionary(s => s.Split('\n')[0].Trim());
        foreach (var d in Descriptors())
        {
            Assert.True(sections.TryGetValue(d.Id, out var section), $"no section '## {d.Id}'");
            Assert.Contains(d.Title.ToString(), section);
            Assert.Contains("**When**", section);
            Assert.Contains("```csharp", section);
            Assert.Contains("**Fix**", section);
        }
    }

    /// <summary>The sections for the IDs a code fix handles say so, and the others do not claim one.</summary>
    [Fact]
    public void The_docs_name_the_code_fixes_that_exist()
    {
        var fixable = typeof(CnnCodeFix).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds)
            .ToHashSet();
        Assert.Equal(10, fixable.Count);
        var sections = Regex.Split(Docs(), @"^## ", RegexOptions.Multiline).Skip(1).ToDictionary(s => s.Split('\n')[0].Trim());
        foreach (var (id, section) in sections)
            Assert.True(fixable.Contains(id) == section.Contains("**Code fix**"), $"{id}: fixable {fixable.Contains(id)}, docs disagree");
    }

    /// <summary>AnalyzerReleases.Unshipped.md lists every descriptor with its category, severity and title, and nothing else.</summary>
    [Fact]
    public void The_release_tracking_files_list_every_descriptor()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Generator");
        var rows = File.ReadAllLines(Path.Combine(dir, "AnalyzerReleases.Unshipped.md"))
            .Concat(File.ReadAllLines(Path.Combine(dir, "AnalyzerReleases.Shipped.md")))
            .Where(l => l.StartsWith("CNN", StringComparison.Ordinal))
            .Select(l => string.Join(" | ", l.Split('|').Select(c => c.Trim())))
            .OrderBy(l => l, StringComparer.Ordinal)
            .ToList();
        var expected = Descriptors()
            .Select(d => $"{d.Id} | {d.Category} | {d.DefaultSeverity} | {d.Title}")
            .OrderBy(l => l, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, rows);
    }
}

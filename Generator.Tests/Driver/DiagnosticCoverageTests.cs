using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>Proves that every descriptor is asserted by a triggering and a non-triggering test, and is documented.</summary>
public class DiagnosticCoverageTests
{
    /// <summary>Every test method marked [Triggers] or [DoesNotTrigger], in any class of this assembly.</summary>
    private static IEnumerable<(MethodInfo Method, string Id, bool Triggers)> MarkedTests() =>
        typeof(DiagnosticCoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetCustomAttributes<TriggersAttribute>().Select(a => (m, a.Id, true))
                .Concat(m.GetCustomAttributes<DoesNotTriggerAttribute>().Select(a => (m, a.Id, false))));

    /// <summary>
    /// Runs every marked test and checks that it really asserted (through <see cref="DiagnosticAssert"/>) the ID it
    /// claims; then checks that every descriptor has at least one of each kind.
    /// </summary>
    [Fact]
    public void Every_descriptor_is_asserted_by_a_triggering_and_a_non_triggering_test()
    {
        var triggered = new HashSet<string>(StringComparer.Ordinal);
        var refuted = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (method, id, triggers) in MarkedTests())
        {
            var (reported, notReported) = DiagnosticAssert.StartRecording();
            try
            {
                method.Invoke(Activator.CreateInstance(method.DeclaringType!), null);
            }
            catch (TargetInvocationException e)
            {
                problems.Add($"{method.DeclaringType!.Name}.{method.Name} failed: {e.InnerException!.Message.Split('\n')[0]}");
                continue;
            }
            if (triggers && !reported.Contains(id))
                problems.Add($"{method.Name} is marked [Triggers(\"{id}\")] but did not assert that {id} is reported.");
            else if (!triggers && !notReported.Contains(id))
                problems.Add($"{method.Name} is marked [DoesNotTrigger(\"{id}\")] but did not assert that {id} is absent.");
            (triggers ? triggered : refuted).Add(id);
        }
        DiagnosticAssert.StartRecording();

        foreach (var descriptor in DiagnosticAssert.AllDescriptors)
        {
            if (!triggered.Contains(descriptor.Id)) problems.Add($"{descriptor.Id} has no triggering test.");
            if (!refuted.Contains(descriptor.Id))
                problems.Add($"{descriptor.Id} has no non-triggering test.");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // Not vacuous: the marked tests were found and run.
        Assert.True(triggered.Count >= 20, $"Only {triggered.Count} triggering tests found.");
    }

    [Fact]
    public void Descriptor_ids_are_unique_sequential_and_in_the_CnnGen_category()
    {
        var ids = DiagnosticAssert.AllDescriptors.Select(d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(i => $"CNN{i:000}"), ids);
        Assert.All(DiagnosticAssert.AllDescriptors, d =>
        {
            Assert.Equal("CnnGen", d.Category);
            Assert.True(d.IsEnabledByDefault);
            Assert.NotEqual("", d.Title.ToString());
        });
    }

    /// <summary>AnalyzerReleases.Unshipped.md (plus Shipped) lists exactly the descriptors, with their severity and title.</summary>
    [Fact]
    public void Every_descriptor_is_listed_in_the_analyzer_release_notes()
    {
        var rows = new Dictionary<string, (string Severity, string Notes)>();
        foreach (var file in new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" })
        {
            foreach (var line in File.ReadAllLines(Path.Combine(GeneratorDirectory(), file)))
            {
                var m = Regex.Match(line, @"^(CNN\d{3})\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*(.*)$");
                if (m.Success) rows[m.Groups[1].Value] = (m.Groups[3].Value, m.Groups[4].Value.Trim());
                if (m.Success) Assert.Equal("CnnGen", m.Groups[2].Value);
            }
        }
        Assert.Equal(DiagnosticAssert.AllDescriptors.Select(d => d.Id), rows.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var d in DiagnosticAssert.AllDescriptors)
        {
            Assert.Equal(d.DefaultSeverity.ToString(), rows[d.Id].Severity);
            Assert.Equal(d.Title.ToString(), rows[d.Id].Notes);
        }
    }

    private static string GeneratorDirectory([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "Generator"));
}

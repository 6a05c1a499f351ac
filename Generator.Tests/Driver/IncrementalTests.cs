using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// The pipeline's caching, step by step (trackIncrementalGeneratorSteps): what stays Cached/Unchanged when nothing
/// relevant changed, what becomes Modified when the network changes, and that no spec holds compilation objects.
/// </summary>
public class IncrementalTests
{
    private const string Network = """
        using CnnGen;
        namespace Samples;

        [Network(1, 28, 28)]
        [Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
        [Conv2D(16, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
        public partial class LeNet5
        {
            public int Helper() { return 1; }
        }
        """;

    private static readonly string[] PipelineSteps = { TrackingNames.Transform, TrackingNames.Analysis, TrackingNames.Spec, TrackingNames.Diagnostics };

    /// <summary>Runs once, then again with the same driver on <paramref name="change"/> of the first compilation.</summary>
    private static (GeneratorRun First, GeneratorRun Second) RunTwice(Func<CSharpCompilation, CSharpCompilation> change, string source = Network)
    {
        var compilation = GeneratorHarness.CreateCompilation(source);
        var first = GeneratorHarness.Run(compilation).AssertNoGeneratorDiagnostics().AssertNoExceptionAndCompilesClean();
        var second = GeneratorHarness.Run(first.Driver, change(compilation)).AssertNoGeneratorDiagnostics().AssertNoExceptionAndCompilesClean();
        return (first, second);
    }

    private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRun run, string step)
    {
        Assert.True(run.Result.TrackedSteps.TryGetValue(step, out var steps), $"Step '{step}' was not tracked: " + string.Join(",", run.Result.TrackedSteps.Keys));
        var reasons = steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    /// <summary>The source output fed by the Spec step (the other source outputs only report diagnostics).</summary>
    private static IReadOnlyList<IncrementalStepRunReason> SourceOutputReasons(GeneratorRun run)
    {
        var outputs = run.Result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput]
            .Where(s => s.Inputs.Any(i => i.Source.Name == TrackingNames.Spec))
            .ToList();
        Assert.NotEmpty(outputs);
        return outputs.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
    }

    private static void AssertAll(IReadOnlyList<IncrementalStepRunReason> reasons, string what, params IncrementalStepRunReason[] allowed) =>
        Assert.True(reasons.All(allowed.Contains),
            $"{what}: expected only {string.Join("/", allowed)}, got {string.Join(", ", reasons)}");

    [Fact]
    public void Rerun_on_a_clone_is_cached_everywhere()
    {
        var (first, second) = RunTwice(c => c.Clone());
        foreach (var step in PipelineSteps)
            AssertAll(Reasons(second, step), step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(SourceOutputReasons(second), "source output", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.Equal(first.SourceText("Samples.LeNet5.g.cs"), second.SourceText("Samples.LeNet5.g.cs"));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_spec_and_output_cached()
    {
        var (_, second) = RunTwice(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other; public class Unrelated { public int X => 1; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs")));
        AssertAll(Reasons(second, TrackingNames.Analysis), "Analysis", IncrementalStepRunReason.Cached);
        AssertAll(Reasons(second, TrackingNames.Spec), "Spec", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(SourceOutputReasons(second), "source output", IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Editing_a_method_body_in_the_network_class_leaves_spec_unchanged_and_output_cached()
    {
        var (_, second) = RunTwice(c => Edit(c, "return 1;", "return 2;"));
        // The transform re-ran on the edited tree (Unchanged, not Cached), but produced an equal result.
        AssertAll(Reasons(second, TrackingNames.Transform), "Transform", IncrementalStepRunReason.Unchanged);
        // So the analysis (checks, shapes, plans) did not run again.
        AssertAll(Reasons(second, TrackingNames.Analysis), "Analysis", IncrementalStepRunReason.Cached);
        AssertAll(Reasons(second, TrackingNames.Spec), "Spec", IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        AssertAll(SourceOutputReasons(second), "source output", IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Changing_a_kernel_size_modifies_spec_and_output()
    {
        var (first, second) = RunTwice(c => Edit(c, "[Conv2D(16, 5)", "[Conv2D(16, 3)"));
        AssertAll(Reasons(second, TrackingNames.Spec), "Spec", IncrementalStepRunReason.Modified);
        AssertAll(SourceOutputReasons(second), "source output", IncrementalStepRunReason.Modified);
        Assert.Contains("k=5", first.SourceText("Samples.LeNet5.g.cs"));
        Assert.Contains("Conv2D 6->16, k=3", second.SourceText("Samples.LeNet5.g.cs"));
    }

    [Fact]
    public void Adding_a_second_network_leaves_the_first_cached()
    {
        var (_, second) = RunTwice(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            using CnnGen;
            namespace Samples;
            [Network(20)] [Dense(16), ReLU, Dense(3), Softmax]
            public partial class Mlp { }
            """, GeneratorHarness.ParseOptions, path: "Mlp.cs")));
        var reasons = Reasons(second, TrackingNames.Spec);
        Assert.Equal(2, reasons.Count);
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.New));
        Assert.Equal(1, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.Equal(2, second.Sources.Length);
    }

    private const string NetworkWithWarning = """
        using CnnGen;
        namespace Samples;

        [Network(1, 28, 28)]
        [Conv2D(6, 5, Stride = 2), ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Strided
        {
            public int Helper() { return 1; }
        }
        """;

    [Fact]
    public void A_cached_warning_is_reported_again_in_the_current_tree_after_an_edit_elsewhere()
    {
        var compilation = GeneratorHarness.CreateCompilation(NetworkWithWarning);
        var first = GeneratorHarness.Run(compilation);
        var edited = Edit(compilation, "return 1;", "return 2;");
        var second = GeneratorHarness.Run(first.Driver, edited);
        AssertAll(Reasons(second, TrackingNames.Analysis), "Analysis", IncrementalStepRunReason.Cached);
        var before = Assert.Single(first.CnnDiagnostics);
        var after = Assert.Single(second.CnnDiagnostics);
        Assert.Equal("CNN006", after.Id);
        Assert.Equal(before.GetMessage(), after.GetMessage());
        Assert.Equal(before.Location.SourceSpan, after.Location.SourceSpan);
        // A source location in the edited compilation's tree, not the first one's: code fixes find their document.
        Assert.Same(edited.SyntaxTrees.Single(), after.Location.SourceTree);
        Assert.Equal(before.Properties, after.Properties);
    }

    [Fact]
    public void A_warning_moves_with_its_attribute_when_lines_are_inserted_above_it()
    {
        var compilation = GeneratorHarness.CreateCompilation(NetworkWithWarning);
        var first = GeneratorHarness.Run(compilation);
        var second = GeneratorHarness.Run(first.Driver, Edit(compilation, "namespace Samples;", "namespace Samples;\n// a comment\n"));
        var before = Assert.Single(first.CnnDiagnostics);
        var after = Assert.Single(second.CnnDiagnostics);
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 2, after.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("Conv2D(6, 5, Stride = 2)", after.Location.SourceTree!.GetText().ToString(after.Location.SourceSpan));
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, string from, string to)
    {
        var tree = compilation.SyntaxTrees.Single();
        string text = tree.ToString();
        Assert.Contains(from, text);
        var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(from, to)));
        return compilation.ReplaceSyntaxTree(tree, edited);
    }

    // ---------------------------------------------------------------- nothing from the compilation in a spec

    private static readonly Type[] Forbidden =
    {
        typeof(Compilation), typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location),
        typeof(AttributeData), typeof(SyntaxReference),
    };

    [Theory]
    [InlineData(Network)]
    [InlineData("""
        using CnnGen;
        [Network(2, 9, 9, Unroll = Unroll.Full)]
        [Conv2D(4, 3, Name = "Features"), BatchNorm, LeakyReLU(0.1), MaxPool(3, 2), AvgPool(3)]
        [Flatten, Dropout(0.5), Dense(8, Bias = false), Tanh, Dense(4), Sigmoid, Dense(2), Softmax]
        public partial class Everything { }
        """)]
    public void Spec_step_outputs_hold_no_compilation_objects(string source)
    {
        // Compiling the output is the snapshot tests' job; this one only needs the specs.
        var run = GeneratorHarness.Run(source).AssertNoGeneratorException().AssertNoGeneratorDiagnostics();
        var outputs = run.Result.TrackedSteps[TrackingNames.Spec].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        int layers = 0;
        foreach (var output in outputs)
            Walk(output, "spec", visited, ref layers);
        Assert.Contains(outputs, o => o is NetworkSpec);
        // Not vacuous: the walk reached every layer spec through the EquatableArray.
        Assert.Equal(outputs.OfType<NetworkSpec>().Sum(s => s.Layers.Count), layers);
    }

    private static void Walk(object? value, string path, HashSet<object> visited, ref int layers)
    {
        if (value is null) return;
        var type = value.GetType();
        foreach (var forbidden in Forbidden)
            Assert.False(forbidden.IsAssignableFrom(type), $"{path} is a {type.FullName}, which is a {forbidden.Name}.");
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
        if (!type.IsValueType && !visited.Add(value)) return;
        if (value is LayerSpec) layers++;
        if (value is Array array)
        {
            int i = 0;
            foreach (var item in array) Walk(item, $"{path}[{i++}]", visited, ref layers);
            return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                Walk(field.GetValue(value), $"{path}.{field.Name}", visited, ref layers);
            }
    }
}

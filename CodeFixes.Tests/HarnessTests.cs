using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CnnGen.CodeFixes.Tests;

/// <summary>The harness can fail, and a fixer given what it does not expect offers nothing and throws nothing.</summary>
public class HarnessTests
{
    private const string MissingSoftmax = """
        using CnnGen;

        [Network(16)]
        [Dense(8), ReLU, {|CNN009:Dense(2)|}]
        public partial class Flat { }
        """;

    /// <summary>
    /// The diagnostics the fixes are tested on are the generator's: the test analyzer is empty, so without the generator
    /// the expected CNN009 is not reported and the same test fails.
    /// </summary>
    [Fact]
    public async Task The_diagnostics_come_from_the_generator()
    {
        string fixedSource = MissingSoftmax.Replace("{|CNN009:Dense(2)|}", "Dense(2), Softmax");
        await new CnnFixTest<AppendSoftmaxFix> { TestCode = MissingSoftmax, FixedCode = fixedSource }.RunAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(() =>
            new CnnFixTest<AppendSoftmaxFix> { TestCode = MissingSoftmax, FixedCode = fixedSource, RunGenerator = false }.RunAsync());
        Assert.Contains("Diagnostics of test state", e.Message);
        Assert.Contains("Mismatch between number of diagnostics returned, expected \"1\" actual \"0\"", e.Message);
    }

    [Fact]
    public async Task A_wrong_fixed_source_fails()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Verify<AppendSoftmaxFix>.FixAsync(MissingSoftmax, MissingSoftmax.Replace("{|CNN009:Dense(2)|}", "Dense(2), Softmax ")));
    }

    [Fact]
    public async Task No_fix_fails_when_a_fix_is_offered()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Verify<AppendSoftmaxFix>.NoFixAsync(MissingSoftmax));
    }

    [Fact]
    public async Task A_fix_whose_result_still_has_a_CnnGen_diagnostic_fails()
    {
        // The padding makes the kernel fit (output 2x2), and then the 4x4 pool does not: CNN005 in the fixed source.
        const string before = """
            using CnnGen;

            [Network(1, 6, 6)]
            [{|CNN004:Conv2D(4, 7)|}, ReLU, MaxPool(4)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """;
        var e = await Assert.ThrowsAnyAsync<Exception>(() => Verify<PaddingFix>.FixAsync(before, before.Replace("{|CNN004:Conv2D(4, 7)|}", "Conv2D(4, 7, Padding = 1)")));
        Assert.Contains("CNN005", e.Message);
    }

    public static IEnumerable<object[]> Fixers() => new CnnCodeFix[]
    {
        new AddPartialFix(), new RecordToClassFix(), new InsertFlattenFix(), new AppendSoftmaxFix(), new MoveSoftmaxFix(),
        new RemoveFlattenFix(), new PaddingFix(), new PoolSizeFix(), new UniqueNameFix(),
    }.Select(f => new object[] { f });

    private const string Odd = """
        using CnnGen;

        [Network(1, 8, 8)]
        [Conv2D(4, 3), ReLU, MaxPool(2)]
        [Flatten, Dense(2), Softmax]
        public partial class Tiny
        {
            [System.Obsolete] public int Epochs => 3;
        }
        record R;
        """;

    /// <summary>
    /// Every fixer, for each of its IDs, at places it does not expect (the class name, an attribute of another kind,
    /// a member's attribute, no location, a span past the end) and with the properties it needs missing or not numbers:
    /// no fix, no exception.
    /// </summary>
    [Theory, MemberData(nameof(Fixers))]
    public async Task Unexpected_input_gives_no_fix_and_no_exception(CnnCodeFix fixer)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("P", LanguageNames.CSharp)
            .AddMetadataReference(MetadataReference.CreateFromFile(typeof(object).Assembly.Location))
            .AddMetadataReference(MetadataReference.CreateFromFile(typeof(CnnGen.INetwork).Assembly.Location));
        var document = project.AddDocument("Test0.cs", Odd);
        var root = (await document.GetSyntaxRootAsync())!;
        var tree = root.SyntaxTree;
        var spans = new List<TextSpan>
        {
            root.DescendantNodes().OfType<ClassDeclarationSyntax>().First().Identifier.Span,
            root.DescendantNodes().OfType<AttributeSyntax>().Single(a => a.ToString() == "ReLU").Span,
            root.DescendantNodes().OfType<AttributeSyntax>().Single(a => a.ToString() == "System.Obsolete").Span,
            root.DescendantNodes().OfType<RecordDeclarationSyntax>().Single().Span,
            new TextSpan(0, 0),
        };
        var propertySets = new[]
        {
            ImmutableDictionary<string, string?>.Empty,
            ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticDescriptors.PaddingProperty, "two").Add(DiagnosticDescriptors.SizeProperty, "-3")
                .Add(DiagnosticDescriptors.NameProperty, "not a name"),
        };
        var descriptors = typeof(DiagnosticDescriptors).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => (DiagnosticDescriptor)f.GetValue(null)!).ToList();

        int contexts = 0;
        foreach (var id in fixer.FixableDiagnosticIds)
        {
            var descriptor = descriptors.Single(d => d.Id == id);
            var locations = spans.Select(s => Location.Create(tree, s)).Append(Location.None);
            foreach (var location in locations)
                foreach (var properties in propertySets)
                {
                    var diagnostic = Diagnostic.Create(descriptor, location, properties);
                    var actions = new List<CodeAction>();
                    var context = new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None);
                    await fixer.RegisterCodeFixesAsync(context);
                    Assert.True(actions.Count == 0, $"{fixer.GetType().Name} offered '{actions.FirstOrDefault()?.Title}' for {id} at {location}");
                    contexts++;
                }
        }
        Assert.True(contexts >= 12);
    }
}

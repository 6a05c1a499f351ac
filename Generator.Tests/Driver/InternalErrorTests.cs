using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using CnnGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// CNN020: an unexpected exception in the parser becomes a diagnostic instead of a crashed generator. No valid or
/// invalid source reaches that path (every attribute value is range-checked before use), so the test feeds the parser
/// a symbol whose <c>GetAttributes()</c> throws.
/// </summary>
public class InternalErrorTests
{
    private const string LeNet5 = """
        using CnnGen;
        namespace Samples;

        [Network(1, 28, 28)]
        [Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
        [Conv2D(16, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
        public partial class LeNet5 { }
        """;

    [Fact, Triggers("CNN020")]
    public void CNN020_exception_in_the_parser_becomes_a_diagnostic_on_the_network_attribute()
    {
        var (source, spans) = DiagnosticAssert.ParseMarkup(LeNet5.Replace("[Network(1, 28, 28)]", "[[|Network(1, 28, 28)|]]"));
        var compilation = GeneratorHarness.CreateCompilation(source);
        var tree = compilation.SyntaxTrees.Single();
        var model = compilation.GetSemanticModel(tree);
        var classSyntax = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single();
        var real = model.GetDeclaredSymbol(classSyntax)!;
        var network = real.GetAttributes().Single(a => a.AttributeClass!.Name == "NetworkAttribute");

        var context = CreateContext(classSyntax, ThrowingSymbol.Create(real.Name), model, ImmutableArray.Create(network));
        var (spec, diagnostics) = NetworkParser.Parse(context, CancellationToken.None);

        Assert.Null(spec);
        var d = Assert.Single(diagnostics);
        Assert.Equal("CNN020", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("CnnGen could not generate code for 'LeNet5': InvalidOperationException: boom. This is a bug in CnnGen; please report it "
            + "with the CnnGen version, this message, and the [Network] class with its layer attributes (the smallest declaration that still fails).",
            d.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(spans.Single(), d.Location.SourceSpan);
        Assert.Same(tree, d.Location.SourceTree);
        // Recorded for the coverage test like the other triggering tests.
        DiagnosticAssert.Record("CNN020");
    }

    [Fact, DoesNotTrigger("CNN020")]
    public void CNN020_is_not_reported_for_a_valid_network() => DiagnosticAssert.DoesNotReport("CNN020", LeNet5);

    /// <summary>The context the driver would pass; its constructor is internal to Roslyn.</summary>
    private static GeneratorAttributeSyntaxContext CreateContext(SyntaxNode node, ISymbol symbol, SemanticModel model, ImmutableArray<AttributeData> attributes)
    {
        var constructor = typeof(GeneratorAttributeSyntaxContext)
            .GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
            .Single(c => c.GetParameters().Length == 4);
        return (GeneratorAttributeSyntaxContext)constructor.Invoke(new object[] { node, symbol, model, attributes });
    }

    /// <summary>A named type that answers the parser's first questions and throws on <c>GetAttributes()</c>.</summary>
    public class ThrowingSymbol : DispatchProxy
    {
        private string _name = "";

        public static INamedTypeSymbol Create(string name)
        {
            var proxy = DispatchProxy.Create<INamedTypeSymbol, ThrowingSymbol>();
            ((ThrowingSymbol)(object)proxy)._name = name;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Name switch
        {
            "get_Name" => _name,
            "get_ContainingType" => null,
            "get_TypeParameters" => ImmutableArray<ITypeParameterSymbol>.Empty,
            "GetAttributes" => throw new InvalidOperationException("boom"),
            var other => throw new NotSupportedException($"The parser asked the fake symbol for {other}."),
        };
    }
}

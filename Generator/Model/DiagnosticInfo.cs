using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator.Model;

/// <summary>
/// Where a diagnostic goes, by value: the file, the span and its lines. Unlike a <see cref="Location"/> it holds no
/// syntax tree, so a pipeline value that carries one compares equal across edits of other files and stays cached.
/// </summary>
internal readonly record struct LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo From(SyntaxNode node)
    {
        var span = node.Span;
        return new LocationInfo(node.SyntaxTree.FilePath, span, node.SyntaxTree.GetLineSpan(span).Span);
    }

    /// <summary>A source location in <paramref name="compilation"/>'s tree of this file (what IDE squiggles and code fixes need).</summary>
    public Location ToLocation(Compilation compilation)
    {
        foreach (var tree in compilation.SyntaxTrees)
            if (tree.FilePath == FilePath && Span.End <= tree.Length)
                return Location.Create(tree, Span);
        return Location.Create(FilePath, Span, LineSpan);
    }
}

/// <summary>One diagnostic by value (descriptor, place, message arguments, code-fix properties), made into a <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, EquatableArray<string> Arguments,
                                      EquatableArray<DiagnosticProperty> Properties)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, string[] arguments,
                                        ImmutableDictionary<string, string?>? properties = null) =>
        new(descriptor, location, new EquatableArray<string>(arguments),
            new EquatableArray<DiagnosticProperty>(properties?.Select(p => new DiagnosticProperty(p.Key, p.Value)) ?? Enumerable.Empty<DiagnosticProperty>()));

    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        var properties = Properties.Count == 0
            ? null
            : Properties.ToImmutableDictionary(p => p.Key, p => p.Value);
        return Diagnostic.Create(Descriptor, Location.ToLocation(compilation), properties, Arguments.Cast<object?>().ToArray());
    }
}

/// <summary>A code-fix property of a <see cref="DiagnosticInfo"/>.</summary>
internal readonly record struct DiagnosticProperty(string Key, string? Value);

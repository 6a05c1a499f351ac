using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Layers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing;

/// <summary>
/// CNN002: a class with layer attributes but no [Network]. A name-only filter first (<see cref="MayLackNetwork"/>),
/// so that the semantic check runs only for declarations that look like a forgotten [Network]; a class whose layer
/// attributes are all written through aliases is not found (the filter cannot see through them).
/// </summary>
internal static class MissingNetworkCheck
{
    private static readonly HashSet<string> LayerNames =
        new(LayerRegistry.Kinds.SelectMany(k => new[] { k.Title, k.MetadataName }), StringComparer.Ordinal);

    private static readonly HashSet<string> NetworkNames =
        new(new[] { KnownNames.NetworkMetadataName.Replace("Attribute", ""), KnownNames.NetworkMetadataName,
                    KnownNames.OnnxNetworkMetadataName.Replace("Attribute", ""), KnownNames.OnnxNetworkMetadataName }, StringComparer.Ordinal);

    /// <summary>
    /// True when the declaration has an attribute named like a layer kind and none named Network (an aliased
    /// [Network] passes, and the semantic check then finds it). Allocates nothing: it runs on every class of an edited file.
    /// </summary>
    public static bool MayLackNetwork(ClassDeclarationSyntax declaration)
    {
        if (declaration.AttributeLists.Count == 0) return false;
        bool layer = false;
        foreach (var list in declaration.AttributeLists)
            foreach (var attribute in list.Attributes)
            {
                string? name = SimpleName(attribute.Name);
                if (name is null) continue;
                if (NetworkNames.Contains(name)) return false;
                layer |= LayerNames.Contains(name);
            }
        return layer;
    }

    /// <summary>CNN002 once per class, on its first layer attribute, reported by the declaration that holds it.</summary>
    public static ImmutableArray<Diagnostic> Find(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol symbol)
            return ImmutableArray<Diagnostic>.Empty;
        var attributes = symbol.GetAttributes();
        foreach (var attribute in attributes)
            if (LayerRegistry.IsNetworkAttribute(attribute.AttributeClass) || LayerRegistry.IsOnnxNetworkAttribute(attribute.AttributeClass))
                return ImmutableArray<Diagnostic>.Empty;

        SyntaxNode? first = null;
        foreach (var attribute in attributes)
        {
            if (LayerRegistry.Find(attribute.AttributeClass) is null) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            if (syntax is null) continue;
            if (first is null || IsBefore(syntax, first)) first = syntax;
        }
        // Another partial declaration holds the first layer: that declaration's own run reports it.
        if (first is null || first.FirstAncestorOrSelf<ClassDeclarationSyntax>() != context.Node) return ImmutableArray<Diagnostic>.Empty;
        return ImmutableArray.Create(Diagnostic.Create(DiagnosticDescriptors.MissingNetworkAttribute, first.GetLocation(), symbol.Name));
    }

    private static string? SimpleName(NameSyntax name) => name switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    private static bool IsBefore(SyntaxNode a, SyntaxNode b)
    {
        int byFile = string.CompareOrdinal(a.SyntaxTree.FilePath, b.SyntaxTree.FilePath);
        return byFile != 0 ? byFile < 0 : a.SpanStart < b.SpanStart;
    }
}

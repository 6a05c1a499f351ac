using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing;

/// <summary>The only code that touches symbols and attribute data: turns a [Network] class into a spec or diagnostics.</summary>
internal static class NetworkParser
{
    public static (NetworkSpec? Spec, ImmutableArray<Diagnostic> Diagnostics) Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var symbol = context.TargetSymbol as INamedTypeSymbol;
        var networkAttribute = context.Attributes.Length > 0 ? context.Attributes[0] : null;
        var networkLocation = networkAttribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation()
                              ?? context.TargetNode.GetLocation();
        try
        {
            if (symbol is not null && context.TargetNode is RecordDeclarationSyntax)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.RecordUnsupported, networkLocation, symbol.Name));
                return (null, diagnostics.ToImmutable());
            }
            if (symbol is null || networkAttribute is null || context.TargetNode is not ClassDeclarationSyntax classSyntax)
                return (null, diagnostics.ToImmutable());
            var spec = ParseCore(symbol, classSyntax, networkAttribute, networkLocation, diagnostics, cancellationToken);
            return (spec, diagnostics.ToImmutable());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // The generator never throws into the user's build: an unexpected state becomes a diagnostic.
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InternalError, networkLocation,
                symbol?.Name ?? "?", e.GetType().Name + ": " + e.Message));
            return (null, diagnostics.ToImmutable());
        }
    }

    private static NetworkSpec? ParseCore(INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax, AttributeData networkAttribute,
                                          Location networkLocation, ImmutableArray<Diagnostic>.Builder diagnostics,
                                          CancellationToken cancellationToken)
    {
        bool ok = true;
        if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.ClassNotPartial, networkLocation, symbol.Name));
            ok = false;
        }
        if (symbol.ContainingType is not null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NestedClassUnsupported, networkLocation, symbol.Name, symbol.ContainingType.Name));
            ok = false;
        }
        if (symbol.TypeParameters.Length > 0)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.GenericClassUnsupported, networkLocation, symbol.Name));
            ok = false;
        }

        // A broken attribute (missing arguments while typing) is reported by the compiler; we just emit nothing.
        if (!TryReadInput(networkAttribute, out var input, out int unrollMode))
            return null;

        // Layer attributes in source order, from every declaration of the class.
        var layers = new List<(AttributeData Data, SyntaxNode Syntax, LayerKind Kind)>();
        foreach (var attribute in symbol.GetAttributes())
        {
            var kind = LayerRegistry.Find(FullName(attribute.AttributeClass));
            if (kind is null) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            if (syntax is null) continue;
            layers.Add((attribute, syntax, kind));
        }
        layers.Sort((a, b) =>
        {
            int byFile = string.CompareOrdinal(a.Syntax.SyntaxTree.FilePath, b.Syntax.SyntaxTree.FilePath);
            return byFile != 0 ? byFile : a.Syntax.SpanStart.CompareTo(b.Syntax.SpanStart);
        });

        // Layers must sit on the declaration that carries [Network]: across partial files their order is undefined.
        var home = networkAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>();
        var stray = layers.FirstOrDefault(l => l.Syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != home);
        if (stray.Syntax is not null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.LayersOnSeveralDeclarations, stray.Syntax.GetLocation(), symbol.Name));
            // The order of the layers is undefined, so every shape inferred from it would be noise.
            return null;
        }

        var decls = new List<LayerDecl>(layers.Count);
        foreach (var layer in layers)
        {
            var decl = ReadLayer(layer.Data, layer.Kind);
            if (decl is null) return null; // compiler error in the attribute
            decls.Add(decl);
        }

        var result = ShapeInference.Infer(symbol.Name, input, decls, unrollMode);
        foreach (var problem in result.Problems)
        {
            var location = problem.Layer >= 0 && problem.Layer < layers.Count ? layers[problem.Layer].Syntax.GetLocation() : networkLocation;
            diagnostics.Add(Diagnostic.Create(problem.Descriptor, location, problem.Properties, problem.Arguments));
        }

        if (!ok || result.HasErrors) return null;
        var ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return new NetworkSpec(ns, symbol.Name, input, new EquatableArray<LayerSpec>(result.Layers),
            result.ParameterCount, result.StateCount, unrollMode, new EquatableArray<string>(result.UnrollNotes));
    }

    private static bool TryReadInput(AttributeData attribute, out TensorShape input, out int unrollMode)
    {
        input = default;
        unrollMode = 0;
        if (attribute.AttributeConstructor is null) return false;
        var args = attribute.ConstructorArguments;
        if (args.Any(a => a.Kind == TypedConstantKind.Error || a.Value is not int)) return false;
        if (args.Length == 3)
            input = TensorShape.Spatial((int)args[0].Value!, (int)args[1].Value!, (int)args[2].Value!);
        else if (args.Length == 1)
            input = TensorShape.Flat((int)args[0].Value!);
        else
            return false;
        foreach (var named in attribute.NamedArguments)
            if (named.Key == "Unroll" && named.Value.Value is int mode)
                unrollMode = mode is >= 0 and <= 2 ? mode : 0;
        return true;
    }

    /// <summary>
    /// The layer's declaration, read by its kind from the attribute's arguments by parameter and property name;
    /// null when the attribute does not compile (the compiler reports that).
    /// </summary>
    private static LayerDecl? ReadLayer(AttributeData attribute, LayerKind kind)
    {
        var constructor = attribute.AttributeConstructor;
        if (constructor is null) return null;
        var args = attribute.ConstructorArguments;
        if (args.Any(a => a.Kind == TypedConstantKind.Error) || args.Length != constructor.Parameters.Length) return null;
        var values = new AttributeArgs();
        for (int i = 0; i < args.Length; i++)
            values.Set(constructor.Parameters[i].Name, args[i].Value);
        foreach (var named in attribute.NamedArguments)
            values.Set(named.Key, named.Value.Value);
        return kind.Read(values) with { Name = values.String("Name") };
    }

    /// <summary>Reports CNN002 for a class with layer attributes but no [Network], once, on its first layer attribute.</summary>
    public static ImmutableArray<Diagnostic> FindMissingNetwork(GeneratorAttributeSyntaxContext context, string layerName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol symbol) return ImmutableArray<Diagnostic>.Empty;
        AttributeData? first = null;
        int firstPosition = int.MaxValue;
        string? firstFile = null;
        foreach (var attribute in symbol.GetAttributes())
        {
            string? name = FullName(attribute.AttributeClass);
            if (name == KnownNames.Network) return ImmutableArray<Diagnostic>.Empty;
            if (LayerRegistry.Find(name) is null) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            if (syntax is null) continue;
            string file = syntax.SyntaxTree.FilePath;
            if (first is null || string.CompareOrdinal(file, firstFile) < 0 || (file == firstFile && syntax.SpanStart < firstPosition))
            {
                first = attribute;
                firstPosition = syntax.SpanStart;
                firstFile = file;
            }
        }
        if (first is null || FullName(first.AttributeClass) != layerName) return ImmutableArray<Diagnostic>.Empty;
        var location = first.ApplicationSyntaxReference!.GetSyntax(cancellationToken).GetLocation();
        return ImmutableArray.Create(Diagnostic.Create(DiagnosticDescriptors.MissingNetworkAttribute, location, symbol.Name));
    }

    private static string? FullName(INamedTypeSymbol? type)
    {
        if (type is null || type.TypeKind == TypeKind.Error) return null;
        var ns = type.ContainingNamespace;
        return ns is null || ns.IsGlobalNamespace ? type.MetadataName : ns.ToDisplayString() + "." + type.MetadataName;
    }
}

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

/// <summary>
/// The only code that touches symbols and attribute data, in two stages. <see cref="Read"/> runs on every edit (the
/// driver re-runs a transform whenever the compilation changes), so it only copies the declaration into a value
/// (<see cref="NetworkSource"/>) and allocates little. <see cref="Analyze"/> does the work (settings checks, shapes,
/// plans) and runs only when that value changed, so an edit elsewhere in the project costs one <see cref="Read"/>.
/// </summary>
internal static class NetworkParser
{
    /// <summary>Both stages at once, diagnostics made for <paramref name="context"/>'s compilation (tests use this).</summary>
    public static (NetworkSpec? Spec, ImmutableArray<Diagnostic> Diagnostics) Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var analyzed = Analyze(Read(context, cancellationToken), cancellationToken);
        var compilation = context.SemanticModel.Compilation;
        return (analyzed.Spec, analyzed.Diagnostics.Select(d => d.ToDiagnostic(compilation)).ToImmutableArray());
    }

    /// <summary>Stage 1: the [Network] class as a value (layers in source order, with their places), or why there is none.</summary>
    public static NetworkSource Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = context.TargetSymbol as INamedTypeSymbol;
        var networkAttribute = context.Attributes.Length > 0 ? context.Attributes[0] : null;
        var networkSyntax = networkAttribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        var networkLocation = LocationInfo.From(networkSyntax ?? context.TargetNode);
        string name = symbol?.Name ?? "?";
        try
        {
            if (symbol is not null && context.TargetNode is RecordDeclarationSyntax)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.RecordUnsupported, networkLocation, symbol.Name));
                return NetworkSource.Nothing(name, networkLocation, diagnostics);
            }
            if (symbol is null || networkAttribute is null || context.TargetNode is not ClassDeclarationSyntax classSyntax)
                return NetworkSource.Nothing(name, networkLocation, diagnostics);
            return ReadCore(symbol, classSyntax, networkAttribute, networkSyntax, networkLocation, diagnostics, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // The generator never throws into the user's build: an unexpected state becomes a diagnostic.
            diagnostics.Add(InternalError(name, networkLocation, e));
            return NetworkSource.Nothing(name, networkLocation, diagnostics);
        }
    }

    private static NetworkSource ReadCore(INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax, AttributeData networkAttribute,
                                          SyntaxNode? networkSyntax, LocationInfo networkLocation, List<DiagnosticInfo> diagnostics,
                                          CancellationToken cancellationToken)
    {
        bool canGenerate = CheckClass(symbol, classSyntax, networkLocation, diagnostics);

        // A broken attribute (missing arguments while typing) is reported by the compiler; we just emit nothing.
        if (!TryReadInput(networkAttribute, out var input, out int unrollMode))
            return NetworkSource.Nothing(symbol.Name, networkLocation, diagnostics);

        // Layer attributes in source order, from every declaration of the class.
        var layers = new List<(AttributeData Data, SyntaxNode Syntax, LayerKind Kind)>();
        foreach (var attribute in symbol.GetAttributes())
        {
            // [OnnxNetwork] beside [Network]: its path reports that (CNN031), and neither generates
            if (LayerRegistry.IsOnnxNetworkAttribute(attribute.AttributeClass)) return NetworkSource.Nothing(symbol.Name, networkLocation, diagnostics);
            var kind = LayerRegistry.Find(attribute.AttributeClass);
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
        var home = networkSyntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        foreach (var layer in layers)
        {
            if (layer.Syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() == home) continue;
            diagnostics.Add(Info(DiagnosticDescriptors.LayersOnSeveralDeclarations, LocationInfo.From(layer.Syntax), symbol.Name));
            // The order of the layers is undefined, so every shape inferred from it would be noise.
            return NetworkSource.Nothing(symbol.Name, networkLocation, diagnostics);
        }

        var decls = new LayerDecl[layers.Count];
        var places = new LocationInfo[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var decl = ReadLayer(layers[i].Data, layers[i].Kind);
            if (decl is null) return NetworkSource.Nothing(symbol.Name, networkLocation, diagnostics); // compiler error in the attribute
            decls[i] = decl;
            places[i] = LocationInfo.From(layers[i].Syntax);
        }

        var ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
        return new NetworkSource(ns, symbol.Name, networkLocation, canGenerate, input, unrollMode,
            new EquatableArray<LayerDecl>(decls), new EquatableArray<LocationInfo>(places), new EquatableArray<DiagnosticInfo>(diagnostics));
    }

    /// <summary>CNN001, CNN012, CNN013: whether the class can take generated members (partial, not nested, not generic).</summary>
    internal static bool CheckClass(INamedTypeSymbol symbol, ClassDeclarationSyntax classSyntax, LocationInfo location, List<DiagnosticInfo> diagnostics)
    {
        bool canGenerate = true;
        if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Info(DiagnosticDescriptors.ClassNotPartial, location, symbol.Name));
            canGenerate = false;
        }
        if (symbol.ContainingType is not null)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.NestedClassUnsupported, location, symbol.Name, symbol.ContainingType.Name));
            canGenerate = false;
        }
        if (symbol.TypeParameters.Length > 0)
        {
            diagnostics.Add(Info(DiagnosticDescriptors.GenericClassUnsupported, location, symbol.Name));
            canGenerate = false;
        }
        return canGenerate;
    }

    /// <summary>Stage 2: checks, shapes and plans; the spec to emit (null after an error) and every diagnostic.</summary>
    public static AnalyzedNetwork Analyze(NetworkSource source, CancellationToken cancellationToken)
    {
        if (source.Layers is not { } layers) return new AnalyzedNetwork(null, source.Diagnostics);
        var diagnostics = new List<DiagnosticInfo>(source.Diagnostics);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = ShapeInference.Infer(source.Name, source.Input, layers.ToList(), source.UnrollMode);
            foreach (var problem in result.Problems)
            {
                var location = problem.Layer >= 0 && problem.Layer < source.LayerLocations.Count ? source.LayerLocations[problem.Layer] : source.NetworkLocation;
                diagnostics.Add(DiagnosticInfo.Create(problem.Descriptor, location, problem.Arguments, problem.Properties));
            }
            if (!source.CanGenerate || result.HasErrors) return new AnalyzedNetwork(null, new EquatableArray<DiagnosticInfo>(diagnostics));
            var spec = new NetworkSpec(source.Namespace, source.Name, source.Input, new EquatableArray<LayerSpec>(result.Layers),
                result.ParameterCount, result.StateCount, source.UnrollMode, new EquatableArray<string>(result.UnrollNotes));
            return new AnalyzedNetwork(spec, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            diagnostics.Add(InternalError(source.Name, source.NetworkLocation, e));
            return new AnalyzedNetwork(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
    }

    internal static DiagnosticInfo Info(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments) =>
        DiagnosticInfo.Create(descriptor, location, arguments);

    internal static DiagnosticInfo InternalError(string name, LocationInfo location, Exception e) =>
        Info(DiagnosticDescriptors.InternalError, location, name, e.GetType().Name + ": " + e.Message);

    private static bool TryReadInput(AttributeData attribute, out TensorShape input, out int unrollMode)
    {
        input = default;
        unrollMode = 0;
        if (attribute.AttributeConstructor is null) return false;
        var args = attribute.ConstructorArguments;
        foreach (var a in args)
            if (a.Kind == TypedConstantKind.Error || a.Value is not int) return false;
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
        if (args.Length != constructor.Parameters.Length) return null;
        foreach (var a in args)
            if (a.Kind == TypedConstantKind.Error) return null;
        var values = new AttributeArgs();
        for (int i = 0; i < args.Length; i++)
            values.Set(constructor.Parameters[i].Name, args[i].Value);
        foreach (var named in attribute.NamedArguments)
            values.Set(named.Key, named.Value.Value);
        return kind.Read(values) with { Name = values.String("Name") };
    }
}

/// <summary>
/// A [Network] class as read from its symbol, by value: what <see cref="NetworkParser.Analyze"/> needs and nothing
/// that ties it to one compilation. <see cref="Layers"/> is null when nothing can be analyzed (a record, an attribute
/// that does not compile, layers on several declarations); <see cref="Diagnostics"/> holds what was found so far.
/// </summary>
internal sealed record NetworkSource(string Namespace, string Name, LocationInfo NetworkLocation, bool CanGenerate,
                                     TensorShape Input, int UnrollMode, EquatableArray<LayerDecl>? Layers,
                                     EquatableArray<LocationInfo> LayerLocations, EquatableArray<DiagnosticInfo> Diagnostics)
{
    public static NetworkSource Nothing(string name, LocationInfo location, List<DiagnosticInfo> diagnostics) =>
        new("", name, location, false, default, 0, null, default, new EquatableArray<DiagnosticInfo>(diagnostics));
}

/// <summary>The outcome of <see cref="NetworkParser.Analyze"/>: the spec to emit, if any, and the diagnostics to report.</summary>
internal sealed record AnalyzedNetwork(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

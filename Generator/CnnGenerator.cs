using System.Collections.Immutable;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator;

/// <summary>
/// Turns a <c>[Network]</c> partial class with layer attributes into shape-specialized forward and backward code.
/// This file is the pipeline only: parsing is in <see cref="NetworkParser"/>, printing in <see cref="NetworkEmitter"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CnnGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.Network,
                // records too, so that they get a diagnostic instead of silence
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Transform);

        // Source output: re-runs only when the value-equatable spec changes.
        var specs = parsed
            .Select(static (t, _) => t.Spec)
            .WithTrackingName(TrackingNames.Spec);
        context.RegisterSourceOutput(specs, static (spc, spec) =>
        {
            if (spec is not null)
                spc.AddSource(spec.HintName, NetworkEmitter.Emit(spec));
        });

        // Diagnostics output: may re-run on any edit, never regenerates code.
        var diagnostics = parsed
            .Select(static (t, _) => t.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var diagnostic in list)
                spc.ReportDiagnostic(diagnostic);
        });

        // Classes that declare layers but forgot [Network].
        foreach (var kind in Layers.LayerRegistry.Kinds)
        {
            var name = kind.Attribute;
            var missing = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    name,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: (ctx, ct) => NetworkParser.FindMissingNetwork(ctx, name, ct))
                .WithTrackingName(TrackingNames.MissingNetwork);
            context.RegisterSourceOutput(missing, static (spc, list) =>
            {
                foreach (var diagnostic in list)
                    spc.ReportDiagnostic(diagnostic);
            });
        }
    }
}

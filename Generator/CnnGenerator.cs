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
        // Runs on every edit (the driver re-runs a transform whenever the compilation changes): copies the
        // declaration into a value and nothing more.
        var sources = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.Network,
                // records too, so that they get a diagnostic instead of silence
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (ctx, ct) => NetworkParser.Read(ctx, ct))
            .WithTrackingName(TrackingNames.Transform);

        // Checks, shapes and plans: re-run only when a declaration changed, so an edit elsewhere finds them cached.
        var analyzed = sources
            .Select(static (source, ct) => NetworkParser.Analyze(source, ct))
            .WithTrackingName(TrackingNames.Analysis);

        RegisterOutputs(context, analyzed);

        // [OnnxNetwork]: the model's text form among the additional files (read only when it changes), then the same
        // checks, shapes and plans as a declared network's, on the layers its graph gives.
        var onnxFiles = context.AdditionalTextsProvider
            .Where(static file => OnnxSources.IsCandidate(file.Path))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => OnnxSources.Read(pair.Left, pair.Right.GetOptions(pair.Left), ct))
            .WithTrackingName(TrackingNames.OnnxFiles)
            .Collect();
        var onnxAnalyzed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.OnnxNetwork,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                transform: static (ctx, ct) => OnnxNetworkParser.Read(ctx, ct))
            .WithTrackingName(TrackingNames.OnnxTransform)
            .Combine(onnxFiles)
            .Select(static (pair, ct) => OnnxNetworkParser.Analyze(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.OnnxAnalysis);
        RegisterOutputs(context, onnxAnalyzed);

        // Classes that declare layers but forgot [Network]. The predicate looks at names only and runs on edited
        // trees only, so a project whose networks all carry [Network] never reaches the semantic check.
        var missing = context.SyntaxProvider
            .CreateSyntaxProvider(
                predicate: static (node, _) => node is ClassDeclarationSyntax c && MissingNetworkCheck.MayLackNetwork(c),
                transform: static (ctx, ct) => MissingNetworkCheck.Find(ctx, ct))
            .WithTrackingName(TrackingNames.MissingNetwork);
        context.RegisterSourceOutput(missing, static (spc, list) =>
        {
            foreach (var diagnostic in list)
                spc.ReportDiagnostic(diagnostic);
        });
    }

    private static void RegisterOutputs(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<AnalyzedNetwork> analyzed)
    {
        // Source output: re-runs only when the value-equatable spec changes.
        var specs = analyzed
            .Select(static (t, _) => t.Spec)
            .WithTrackingName(TrackingNames.Spec);
        context.RegisterSourceOutput(specs, static (spc, spec) =>
        {
            if (spec is null) return;
            spc.AddSource(spec.HintName, NetworkEmitter.Emit(spec));
            if (spec.Onnx is not null)
                spc.AddSource(spec.WeightsHintName, NetworkEmitter.EmitOnnxWeights(spec));
        });

        // Diagnostics output: every network's list, collected and paired with the compilation, so that each
        // diagnostic becomes a source location in the current tree (what squiggles and code fixes need). On an
        // edit elsewhere the lists are cached and the output runs once for the project, not once per network.
        var diagnostics = analyzed
            .Select(static (t, _) => t.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics)
            .Collect()
            .Combine(context.CompilationProvider);
        context.RegisterSourceOutput(diagnostics, static (spc, pair) =>
        {
            foreach (var list in pair.Left)
                for (int i = 0; i < list.Count; i++)
                    spc.ReportDiagnostic(list[i].ToDiagnostic(pair.Right));
        });
    }
}

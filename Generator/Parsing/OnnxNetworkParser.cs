using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing;

/// <summary>
/// An <c>[OnnxNetwork("lenet5.onnx")]</c> class as read from its symbol, by value: the model path it names and what was
/// found wrong with the class itself.
/// </summary>
internal sealed record OnnxNetworkRequest(string Namespace, string Name, LocationInfo Location, bool CanGenerate, string? Path,
                                          int UnrollMode, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// The <c>[OnnxNetwork]</c> path of the generator, in the same two stages as <see cref="NetworkParser"/>. <see cref="Read"/>
/// copies the attribute; <see cref="Analyze"/> finds the model among the additional files (<see cref="OnnxSources"/>),
/// reads its graph as CnnGen layers with the graph code CnnGen.Onnx uses (<c>OnnxChain</c>), and then runs the declared
/// path's checks, shapes and plans on those layers; the model's weights go into the spec, in the network's order.
/// Only this class and <see cref="OnnxSources"/> touch the ONNX code, so a project without [OnnxNetwork] never loads
/// Google.Protobuf.
/// </summary>
internal static class OnnxNetworkParser
{
    public static OnnxNetworkRequest Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var symbol = context.TargetSymbol as INamedTypeSymbol;
        var attribute = context.Attributes.Length > 0 ? context.Attributes[0] : null;
        var syntax = attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        var location = LocationInfo.From(syntax ?? context.TargetNode);
        string name = symbol?.Name ?? "?";
        OnnxNetworkRequest Nothing() => new("", name, location, false, null, 0, new EquatableArray<DiagnosticInfo>(diagnostics));
        try
        {
            if (symbol is not null && context.TargetNode is RecordDeclarationSyntax)
            {
                diagnostics.Add(NetworkParser.Info(DiagnosticDescriptors.RecordUnsupported, location, symbol.Name));
                return Nothing();
            }
            if (symbol is null || attribute is null || context.TargetNode is not ClassDeclarationSyntax classSyntax)
                return Nothing();
            bool canGenerate = NetworkParser.CheckClass(symbol, classSyntax, location, diagnostics);
            // a broken attribute (no path while typing) is the compiler's to report
            if (attribute.ConstructorArguments is not [{ Kind: not TypedConstantKind.Error, Value: string path }]) return Nothing();
            int unrollMode = 0;
            foreach (var named in attribute.NamedArguments)
                if (named.Key == "Unroll" && named.Value.Value is int mode)
                    unrollMode = mode is >= 0 and <= 2 ? mode : 0;
            // the layers come from the model: a [Network] or a layer attribute beside it is a mistake, not a second source
            var extra = new List<string>();
            foreach (var other in symbol.GetAttributes())
            {
                if (LayerRegistry.IsNetworkAttribute(other.AttributeClass)) extra.Add("[Network]");
                else if (LayerRegistry.Find(other.AttributeClass) is not null && !extra.Contains("layer attributes")) extra.Add("layer attributes");
            }
            if (extra.Count > 0)
            {
                diagnostics.Add(NetworkParser.Info(DiagnosticDescriptors.OnnxNetworkWithLayers, location, symbol.Name, path, string.Join(" and ", extra)));
                canGenerate = false;
            }
            var ns = symbol.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
            return new OnnxNetworkRequest(ns, symbol.Name, location, canGenerate, path, unrollMode, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            diagnostics.Add(NetworkParser.InternalError(name, location, e));
            return Nothing();
        }
    }

    public static AnalyzedNetwork Analyze(OnnxNetworkRequest request, ImmutableArray<OnnxSourceFile> files, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>(request.Diagnostics);
        AnalyzedNetwork Fail(DiagnosticDescriptor descriptor, string message)
        {
            diagnostics.Add(NetworkParser.Info(descriptor, request.Location, request.Name, message));
            return new AnalyzedNetwork(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
        if (request.Path is not { } path) return new AnalyzedNetwork(null, request.Diagnostics);
        try
        {
            var found = OnnxSources.Find(path, files, out string problem);
            if (found is null) return Fail(DiagnosticDescriptors.OnnxFileNotFound, problem);
            byte[]? bytes = OnnxSources.Decode(found, out problem);
            if (bytes is null) return Fail(DiagnosticDescriptors.OnnxModelUnusable, problem);
            cancellationToken.ThrowIfCancellationRequested();

            CnnGen.Onnx.OnnxGraph graph;
            CnnGen.Onnx.OnnxChainResult chain;
            try
            {
                graph = CnnGen.Onnx.OnnxGraph.Parse(bytes, path);
                chain = CnnGen.Onnx.OnnxChain.Read(graph);
            }
            catch (CnnGen.Onnx.OnnxModelException e)
            {
                return Fail(DiagnosticDescriptors.OnnxModelUnusable, e.Message);
            }

            var decls = new LayerDecl[chain.Layers.Count];
            for (int i = 0; i < decls.Length; i++)
            {
                var decl = chain.Layers[i].Decl;
                var kind = LayerRegistry.FindByTitle(decl.Kind) ?? throw new InvalidOperationException($"the ONNX chain declared a layer of kind {decl.Kind}, which the generator does not know");
                var args = new AttributeArgs();
                foreach (var a in decl.Arguments) args.Set(a.Name, a.Value);
                decls[i] = kind.Read(args);
            }
            var input = chain.Input.Length == 3
                ? TensorShape.Spatial((int)chain.Input[0], (int)chain.Input[1], (int)chain.Input[2])
                : TensorShape.Flat((int)chain.Input[0]);
            var source = new NetworkSource(request.Namespace, request.Name, request.Location, request.CanGenerate, input, request.UnrollMode,
                new EquatableArray<LayerDecl>(decls), new EquatableArray<LocationInfo>(Enumerable.Repeat(request.Location, decls.Length)),
                new EquatableArray<DiagnosticInfo>(diagnostics));
            var analyzed = NetworkParser.Analyze(source, cancellationToken);
            if (analyzed.Spec is not { } spec) return analyzed;

            var weights = Weights(spec, chain, graph, path, out problem);
            if (weights is null) return Fail(DiagnosticDescriptors.OnnxModelUnusable, problem);
            string producer = (graph.Model.ProducerName + " " + graph.Model.ProducerVersion).Trim();
            return new AnalyzedNetwork(spec with { Onnx = new OnnxWeights(path, producer, weights.Value.Parameters, weights.Value.State) }, analyzed.Diagnostics);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            diagnostics.Add(NetworkParser.InternalError(request.Name, request.Location, e));
            return new AnalyzedNetwork(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }
    }

    /// <summary>
    /// The model's weights laid out as the network's parameters and state (base64 of little-endian floats), or null with
    /// the problem when a node's weights do not fill its layer (a dense layer's inputs that are not what the layers before
    /// it produce, for example).
    /// </summary>
    private static (string Parameters, string State)? Weights(NetworkSpec spec, CnnGen.Onnx.OnnxChainResult chain, CnnGen.Onnx.OnnxGraph graph,
                                                              string path, out string problem)
    {
        problem = "";
        var parameters = new float[spec.ParameterCount];
        var state = new float[spec.StateCount];
        if (spec.Layers.Count != chain.Layers.Count)
            throw new InvalidOperationException($"{spec.Layers.Count} layers planned for {chain.Layers.Count} read");
        for (int i = 0; i < chain.Layers.Count; i++)
        {
            var read = chain.Layers[i];
            var layer = spec.Layers[i];
            var slices = layer.ParameterSlices().ToList();
            string Where() => $"ONNX file '{path}': node {graph.Describe(read.Node)}: ";
            if (slices.Count != read.Parameters.Length)
            {
                problem = Where() + $"has {read.Parameters.Length} weight tensors where {layer.Name} ({layer.Describe()}) has {slices.Count}.";
                return null;
            }
            for (int k = 0; k < slices.Count; k++)
            {
                if (read.Parameters[k].Length != slices[k].Length)
                {
                    problem = Where() + $"has {read.Parameters[k].Length} values in a weight tensor where {layer.Name} ({layer.Describe()}, input {layer.Input}) " +
                              $"holds {slices[k].Length} ({slices[k].Name} {slices[k].Shape}): the model's layers before it produce another shape than this node expects.";
                    return null;
                }
                Array.Copy(read.Parameters[k], 0, parameters, slices[k].Offset, slices[k].Length);
            }
            int offset = layer.StateOffset;
            foreach (var values in read.State)
            {
                if (offset + values.Length > layer.StateOffset + layer.StateCount)
                {
                    problem = Where() + $"has more running statistics than {layer.Name} ({layer.Describe()}) keeps ({layer.StateCount}).";
                    return null;
                }
                Array.Copy(values, 0, state, offset, values.Length);
                offset += values.Length;
            }
            if (offset != layer.StateOffset + layer.StateCount)
            {
                problem = Where() + $"has {offset - layer.StateOffset} running statistics where {layer.Name} ({layer.Describe()}) keeps {layer.StateCount}.";
                return null;
            }
        }
        return (Base64(parameters), Base64(state));
    }

    private static string Base64(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
        return Convert.ToBase64String(bytes);
    }
}

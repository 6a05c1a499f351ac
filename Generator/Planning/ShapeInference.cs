using System;
using System.Collections.Generic;
using System.Globalization;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Input shape and declared layers in, layer specs or problems out: names, each kind's settings checks and shape
/// rule (on its <see cref="LayerDecl"/>), offsets, the network-level checks, fusion and the buffer plan.
/// </summary>
internal static class ShapeInference
{
    /// <summary>Largest value count of one sample's activations, and of all parameters.</summary>
    public const long MaxValues = 1L << 26;

    public sealed class Result
    {
        public List<LayerSpec> Layers { get; } = new();
        public List<ShapeProblem> Problems { get; } = new();
        public List<string> UnrollNotes { get; } = new();
        public int ParameterCount { get; set; }
        public int StateCount { get; set; }
        public bool HasErrors => Problems.Exists(p => p.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
    }

    public static Result Infer(string className, TensorShape input, IReadOnlyList<LayerDecl> decls, int unrollMode)
    {
        var result = new Result();
        void Problem(int layer, DiagnosticDescriptor d, params object[] args) => result.Problems.Add(ShapeProblem.Create(layer, d, args));

        bool inputOk = true;
        if (input.IsFlat)
        {
            if (input.C <= 0) { Problem(-1, DiagnosticDescriptors.NonPositiveSize, "input", "features", input.C); inputOk = false; }
        }
        else
        {
            if (input.C <= 0) { Problem(-1, DiagnosticDescriptors.NonPositiveSize, "input", "channels", input.C); inputOk = false; }
            if (input.H <= 0) { Problem(-1, DiagnosticDescriptors.NonPositiveSize, "input", "height", input.H); inputOk = false; }
            if (input.W <= 0) { Problem(-1, DiagnosticDescriptors.NonPositiveSize, "input", "width", input.W); inputOk = false; }
        }
        // In arbitrary precision: three int dimensions can overflow even a long (2^22 x 2^21 x 2^21 is 0 in 64 bits).
        var inputVolume = InferContext.Volume(input.C, input.H, input.W);
        if (inputOk && inputVolume > MaxValues) { Problem(-1, DiagnosticDescriptors.NetworkTooLarge, "input", "input", inputVolume, MaxValues); inputOk = false; }

        var names = AssignNames(decls);
        CheckNames(decls, names, Problem);

        var shape = input;
        bool shapeKnown = inputOk;
        long parameters = 0, state = 0;
        for (int i = 0; i < decls.Count; i++)
        {
            var d = decls[i];
            string name = names[i];
            if (d is SoftmaxDecl && i != decls.Count - 1)
                Problem(i, DiagnosticDescriptors.MisplacedSoftmax, name, decls.Count - 1 - i);

            var check = new SettingsCheck(name, i, result.Problems);
            d.Check(check);
            if (!shapeKnown) continue;
            if (!check.Ok) { shapeKnown = false; continue; }

            var spec = d.Infer(new InferContext(name, i, shape, unrollMode, decls, result.Layers, result.Problems, result.UnrollNotes));
            if (spec is null) { shapeKnown = false; continue; }
            var outputVolume = InferContext.Volume(spec.Output.C, spec.Output.H, spec.Output.W);
            if (outputVolume > MaxValues)
            {
                Problem(i, DiagnosticDescriptors.NetworkTooLarge, name, "the output", outputVolume, MaxValues);
                shapeKnown = false;
                continue;
            }
            spec = spec with
            {
                Name = name,
                Prefix = name.ToLowerInvariant(),
                Index = i,
                Input = shape,
                ParameterOffset = (int)Math.Min(parameters, int.MaxValue),
                StateOffset = (int)Math.Min(state, int.MaxValue),
            };
            parameters += spec.ParameterCount;
            state += spec.StateCount;
            if (parameters > MaxValues)
            {
                Problem(i, DiagnosticDescriptors.NetworkTooLarge, name, "the parameter count", parameters, MaxValues);
                shapeKnown = false;
                continue;
            }
            spec = Fusion.Fuse(result.Layers, spec);
            result.Layers.Add(spec);
            shape = spec.Output;
        }

        if (decls.Count == 0 || decls[decls.Count - 1] is not SoftmaxDecl)
        {
            int last = decls.Count - 1;
            string lastKind = last >= 0 ? names[last] : "(none)";
            string lastShape = shapeKnown && last >= 0 ? shape.ToString() : "unknown";
            Problem(last, DiagnosticDescriptors.MissingSoftmax, className, lastKind, lastShape);
        }
        else if (shapeKnown && result.Layers.Count == decls.Count && !shape.IsFlat)
        {
            // Softmax over a spatial output: say what to add.
            Problem(decls.Count - 1, DiagnosticDescriptors.DenseNeedsFlatInput, names[decls.Count - 1], "Softmax", shape.ToString());
        }

        if (shapeKnown && result.Layers.Count == decls.Count && parameters == 0)
            Problem(-1, DiagnosticDescriptors.NoParameters, className);

        if (shapeKnown && result.Layers.Count == decls.Count)
            foreach (var l in result.Layers)
                l.CheckComplete(result.Layers, (d, args) => Problem(l.Index, d, args));

        BufferPlanner.Plan(result.Layers);
        result.ParameterCount = (int)Math.Min(parameters, int.MaxValue);
        result.StateCount = (int)Math.Min(state, int.MaxValue);
        return result;
    }

    /// <summary>The user's <c>Name</c>, or the kind's stem plus a per-kind ordinal from 1.</summary>
    public static string[] AssignNames(IReadOnlyList<LayerDecl> decls)
    {
        var counts = new Dictionary<LayerKind, int>();
        var names = new string[decls.Count];
        for (int i = 0; i < decls.Count; i++)
        {
            var kind = decls[i].Kind;
            counts.TryGetValue(kind, out int n);
            counts[kind] = ++n;
            names[i] = decls[i].Name ?? kind.Stem + n.ToString(CultureInfo.InvariantCulture);
        }
        return names;
    }

    private static void CheckNames(IReadOnlyList<LayerDecl> decls, string[] names, Action<int, DiagnosticDescriptor, object[]> problem)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Every name in the network plus the ones already suggested: a suggestion must clash with none of them.
        var taken = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < decls.Count; i++)
        {
            if (decls[i].Name is { } user && !IsIdentifier(user))
                problem(i, DiagnosticDescriptors.InvalidLayerName, new object[] { user });
            else if (!seen.Add(names[i]))
            {
                string unique = names[i];
                for (int n = 2; !taken.Add(unique = names[i] + "_" + n.ToString(CultureInfo.InvariantCulture)); n++) { }
                problem(i, DiagnosticDescriptors.DuplicateLayerName, new object[] { names[i], ShapeProblem.FixProperties(DiagnosticDescriptors.NameProperty, unique) });
            }
        }
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_')) return false;
        foreach (char c in name)
            if (!(char.IsLetterOrDigit(c) || c == '_') || c > 127) return false;
        return true;
    }
}

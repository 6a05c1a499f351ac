using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Parsing;

/// <summary>A layer as the user wrote it, before any shape is known.</summary>
internal sealed class LayerDecl
{
    public LayerKind Kind;
    public string? Name;
    /// <summary>Conv2D filters, Dense units, pool size.</summary>
    public int Size;
    public int Kernel;
    public int Stride = 1;
    public int Padding;
    public bool Bias = true;
    /// <summary>LeakyReLU slope, Dropout rate, BatchNorm momentum.</summary>
    public double Value;
    /// <summary>BatchNorm epsilon.</summary>
    public double Epsilon;
}

/// <summary>
/// A problem found by <see cref="ShapeInference"/>; <see cref="Layer"/> is -1 for the network itself.
/// <see cref="Properties"/> carries what a code fix needs (keys in <see cref="DiagnosticDescriptors"/>).
/// </summary>
internal sealed record ShapeProblem(int Layer, DiagnosticDescriptor Descriptor, string[] Arguments,
                                    ImmutableDictionary<string, string?>? Properties = null);

/// <summary>Pure shape inference: input shape and declared layers in, layer specs or problems out.</summary>
internal static class ShapeInference
{
    /// <summary>
    /// Straight-line lane statements one emitted method may hold. Each is one inlined call into the lane type;
    /// past about 450 per method the JIT's inlining budget runs out and the rest become real calls (10-20x slower).
    /// </summary>
    public const int UnrollBudget = 450;
    /// <summary>Largest channel block with its own accumulators (16 of the 32 vector registers).</summary>
    public const int MaxChannelBlock = 16;
    /// <summary>Most output channels per block in single-sample (Predict) convolution kernels.</summary>
    public const int PredictChannelBlock = 8;
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
        void Problem(int layer, DiagnosticDescriptor d, params object[] args)
        {
            // A trailing dictionary (from FixProperties) is not a message argument: it becomes the diagnostic's properties.
            var properties = args.Length > 0 ? args[args.Length - 1] as ImmutableDictionary<string, string?> : null;
            int count = properties is null ? args.Length : args.Length - 1;
            var text = new string[count];
            for (int i = 0; i < count; i++)
                text[i] = args[i] is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : args[i]?.ToString() ?? "";
            result.Problems.Add(new ShapeProblem(layer, d, text, properties));
        }

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
        if (inputOk && Volume(input.C, input.H, input.W) > MaxValues) { Problem(-1, DiagnosticDescriptors.NetworkTooLarge, "input", "input", Volume(input.C, input.H, input.W), MaxValues); inputOk = false; }

        var names = AssignNames(decls);
        CheckNames(decls, names, Problem);

        var shape = input;
        bool shapeKnown = inputOk;
        long parameters = 0, state = 0;
        for (int i = 0; i < decls.Count; i++)
        {
            var d = decls[i];
            string name = names[i];
            if (d.Kind == LayerKind.Softmax && i != decls.Count - 1)
                Problem(i, DiagnosticDescriptors.MisplacedSoftmax, name, decls.Count - 1 - i);

            CheckSettings(d, name, i, Problem, out bool settingsOk);
            if (!shapeKnown) continue;
            if (!settingsOk) { shapeKnown = false; continue; }

            var spec = InferLayer(d, name, i, shape, decls, unrollMode, Problem, result.UnrollNotes);
            if (spec is null) { shapeKnown = false; continue; }
            if (Volume(spec.Output.C, spec.Output.H, spec.Output.W) > MaxValues)
            {
                Problem(i, DiagnosticDescriptors.NetworkTooLarge, name, "the output", Volume(spec.Output.C, spec.Output.H, spec.Output.W), MaxValues);
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
            if (spec is PoolSpec { Kind: LayerKind.MaxPool } pool && result.Layers.Count == i && i > 0
                && result.Layers[i - 1] is ActivationSpec { Kind: LayerKind.ReLU } relu)
            {
                // ReLU then max pool: the pool applies the ReLU to each window's maximum (one Max per output instead of
                // a pass over every input), and its backward applies the ReLU's gradient mask.
                result.Layers[i - 1] = relu with { FusedIntoPool = true };
                spec = pool with { ReluFused = true };
            }
            result.Layers.Add(spec);
            shape = spec.Output;
        }

        if (decls.Count == 0 || decls[decls.Count - 1].Kind != LayerKind.Softmax)
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

        result.ParameterCount = (int)Math.Min(parameters, int.MaxValue);
        result.StateCount = (int)Math.Min(state, int.MaxValue);
        return result;
    }

    private static readonly string[] NameStems =
    {
        "Conv", "Relu", "LeakyRelu", "Tanh", "Sigmoid", "Pool", "AvgPool", "Flatten", "Dense", "Dropout", "BatchNorm", "Softmax",
    };

    /// <summary>The user's <c>Name</c>, or the kind's stem plus a per-kind ordinal from 1.</summary>
    public static string[] AssignNames(IReadOnlyList<LayerDecl> decls)
    {
        var counts = new int[NameStems.Length];
        var names = new string[decls.Count];
        for (int i = 0; i < decls.Count; i++)
        {
            int k = (int)decls[i].Kind;
            counts[k]++;
            names[i] = decls[i].Name ?? NameStems[k] + counts[k].ToString(CultureInfo.InvariantCulture);
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
                problem(i, DiagnosticDescriptors.DuplicateLayerName, new object[] { names[i], FixProperties(DiagnosticDescriptors.NameProperty, unique) });
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

    private static void CheckSettings(LayerDecl d, string name, int i, Action<int, DiagnosticDescriptor, object[]> problem, out bool ok)
    {
        bool good = true;
        void Positive(string what, int value)
        {
            if (value <= 0) { problem(i, DiagnosticDescriptors.NonPositiveSize, new object[] { name, what, value }); good = false; }
        }
        void Range(bool inRange, string what, string expected, object value)
        {
            if (!inRange) { problem(i, DiagnosticDescriptors.ArgumentOutOfRange, new object[] { name, what, expected, value }); good = false; }
        }
        switch (d.Kind)
        {
            case LayerKind.Conv2D:
                Positive("filters", d.Size);
                Positive("kernel", d.Kernel);
                Positive("stride", d.Stride);
                Range(d.Padding >= 0, "padding", "zero or more", d.Padding);
                break;
            case LayerKind.MaxPool:
            case LayerKind.AvgPool:
                Positive("size", d.Size);
                Positive("stride", d.Stride);
                break;
            case LayerKind.Dense:
                Positive("units", d.Size);
                break;
            case LayerKind.LeakyReLU:
                Range(d.Value >= 0 && d.Value < 1, "slope", "at least 0 and below 1", d.Value);
                break;
            case LayerKind.Dropout:
                Range(d.Value >= 0 && d.Value < 1, "rate", "at least 0 and below 1", d.Value);
                break;
            case LayerKind.BatchNorm:
                Range(d.Value > 0 && d.Value <= 1, "momentum", "above 0 and at most 1", d.Value);
                Range(d.Epsilon > 0 && d.Epsilon < 1, "epsilon", "above 0 and below 1", d.Epsilon);
                break;
        }
        ok = good;
    }

    private static LayerSpec? InferLayer(LayerDecl d, string name, int i, TensorShape x, IReadOnlyList<LayerDecl> decls, int unrollMode,
                                         Action<int, DiagnosticDescriptor, object[]> problem, List<string> notes)
    {
        bool spatialOk = true;
        if (d.Kind is LayerKind.Conv2D or LayerKind.MaxPool or LayerKind.AvgPool && x.IsFlat)
        {
            problem(i, DiagnosticDescriptors.NeedsSpatialInput, new object[] { name, d.Kind.ToString(), x.C });
            spatialOk = false;
        }
        if (!spatialOk) return null;

        switch (d.Kind)
        {
            case LayerKind.Conv2D:
            {
                // In 64 bits: a large padding must not wrap around.
                long h = x.H + 2L * d.Padding, w = x.W + 2L * d.Padding;
                if (d.Kernel > h || d.Kernel > w)
                {
                    problem(i, DiagnosticDescriptors.KernelLargerThanInput, new object[] { name, d.Kernel, x.H, x.W, d.Padding,
                        FixProperties(DiagnosticDescriptors.PaddingProperty, FittingPadding(d.Kernel, d.Stride, x.H, x.W)) });
                    return null;
                }
                if (d.Padding > 0 && Volume(x.C, h, w) > MaxValues)
                {
                    problem(i, DiagnosticDescriptors.NetworkTooLarge, new object[] { name, "the padded input", Volume(x.C, h, w), MaxValues });
                    return null;
                }
                long oh = (h - d.Kernel) / d.Stride + 1, ow = (w - d.Kernel) / d.Stride + 1;
                if (Volume(d.Size, oh, ow) > MaxValues)
                {
                    problem(i, DiagnosticDescriptors.NetworkTooLarge, new object[] { name, "the output", Volume(d.Size, oh, ow), MaxValues });
                    return null;
                }
                WarnUnused(i, name, d.Kernel, d.Stride, h, w, problem, d.Padding);
                int kk = d.Kernel * d.Kernel;
                long weights = (long)d.Size * x.C * kk;
                if (weights > MaxValues)
                {
                    problem(i, DiagnosticDescriptors.NetworkTooLarge, new object[] { name, "the weight count", weights, MaxValues });
                    return null;
                }
                var forward = WithPositionBlock(ChooseUnrolling(kk, d.Size, 1, unrollMode), kk, d.Size, (int)ow);
                var backward = ChooseUnrolling(kk, d.Size, 2, unrollMode);
                if (unrollMode != 2 && (!forward.Taps || !backward.Taps))
                {
                    // The backward method holds more per tap, so it can fail alone: name the pass that failed and the
                    // fewest statements it would need (one output channel at a time).
                    string window = $"{I(d.Kernel)}x{I(d.Kernel)} kernel window" + (forward.Taps ? " of the backward pass" : "");
                    long cost = forward.Taps ? MinimalCost(kk, 2) : MinimalCost(kk, 1);
                    notes.Add($"{name}: {window} kept as loops ({I(cost)} statements exceed the budget of {I(UnrollBudget)}).");
                    if (unrollMode == 1)
                        problem(i, DiagnosticDescriptors.NotUnrolled, new object[] { name, window, cost, UnrollBudget });
                }
                return new Conv2DSpec(d.Size, d.Kernel, d.Stride, d.Padding, d.Bias, InitFor(decls, i), forward, backward)
                {
                    // Predict: each value holds adjacent columns of one sample, so every tap is one vector load shared
                    // by the block; past 8 channels the loads of broadcast weights, not FMAs, would limit it.
                    Predict = ChooseUnrolling(kk, d.Size, 1, unrollMode, maxBlock: PredictChannelBlock),
                    Output = TensorShape.Spatial(d.Size, (int)oh, (int)ow),
                    ParameterCount = (int)weights + (d.Bias ? d.Size : 0),
                };
            }
            case LayerKind.MaxPool:
            case LayerKind.AvgPool:
            {
                if (d.Size > x.H || d.Size > x.W)
                {
                    problem(i, DiagnosticDescriptors.PoolLargerThanInput, new object[] { name, d.Size, x.H, x.W,
                        FixProperties(DiagnosticDescriptors.SizeProperty, Math.Min(x.H, x.W)) });
                    return null;
                }
                WarnUnused(i, name, d.Size, d.Stride, x.H, x.W, problem);
                int oh = (x.H - d.Size) / d.Stride + 1, ow = (x.W - d.Size) / d.Stride + 1;
                bool unrolled = unrollMode != 2 && d.Size * d.Size * 3 <= UnrollBudget;
                if (!unrolled && unrollMode != 2)
                {
                    notes.Add($"{name}: {d.Size}x{d.Size} pooling window kept as loops.");
                    if (unrollMode == 1)
                        problem(i, DiagnosticDescriptors.NotUnrolled, new object[] { name, $"{d.Size}x{d.Size} pooling window", d.Size * d.Size * 3, UnrollBudget });
                }
                return new PoolSpec(d.Kind, d.Size, d.Stride, unrolled) { Output = TensorShape.Spatial(x.C, oh, ow) };
            }
            case LayerKind.Flatten:
                if (x.IsFlat) problem(i, DiagnosticDescriptors.FlattenOnFlatInput, new object[] { name, x.C });
                return new FlattenSpec { Output = TensorShape.Flat((int)x.Size) };
            case LayerKind.Dense:
            {
                if (!x.IsFlat)
                {
                    problem(i, DiagnosticDescriptors.DenseNeedsFlatInput, new object[] { name, "Dense", x.ToString() });
                    return null;
                }
                long weights = (long)d.Size * x.C;
                if (weights > MaxValues)
                {
                    problem(i, DiagnosticDescriptors.NetworkTooLarge, new object[] { name, "the weight count", weights, MaxValues });
                    return null;
                }
                int block = unrollMode == 2 ? 1 : Math.Min(d.Size, MaxChannelBlock);
                return new DenseSpec(d.Size, d.Bias, InitFor(decls, i), block)
                {
                    Output = TensorShape.Flat(d.Size),
                    ParameterCount = (int)weights + (d.Bias ? d.Size : 0),
                };
            }
            case LayerKind.ReLU:
            case LayerKind.Tanh:
            case LayerKind.Sigmoid:
            case LayerKind.LeakyReLU:
                return new ActivationSpec(d.Kind, d.Kind == LayerKind.LeakyReLU ? d.Value : 0) { Output = x };
            case LayerKind.Dropout:
                return new DropoutSpec(d.Value) { Output = x };
            case LayerKind.BatchNorm:
                return new BatchNormSpec(d.Value, d.Epsilon) { Output = x, ParameterCount = 2 * x.C, StateCount = 2 * x.C };
            case LayerKind.Softmax:
                return new SoftmaxSpec { Output = x };
            default:
                return null;
        }
    }

    /// <summary>
    /// Warns when the last rows or columns are never covered by a window. For a convolution (<paramref name="padding"/>
    /// given) it also suggests the next larger padding, below the kernel size, that covers them, when there is one.
    /// </summary>
    private static void WarnUnused(int i, string name, int window, int stride, long h, long w, Action<int, DiagnosticDescriptor, object[]> problem,
                                   int? padding = null)
    {
        long rows = (h - window) % stride, cols = (w - window) % stride;
        if (rows == 0 && cols == 0) return;
        object? fix = null;
        if (padding is int p)
            for (int q = p + 1; q <= p + stride && q < window; q++)
                if ((rows + 2L * (q - p)) % stride == 0 && (cols + 2L * (q - p)) % stride == 0)
                {
                    fix = FixProperties(DiagnosticDescriptors.PaddingProperty, q);
                    break;
                }
        problem(i, DiagnosticDescriptors.StrideLeavesInputUnused,
            fix is null ? new object[] { name, window, stride, h, w, rows, cols } : new object[] { name, window, stride, h, w, rows, cols, fix });
    }

    /// <summary>
    /// The smallest padding with which a <paramref name="kernel"/> fits an <paramref name="h"/> x <paramref name="w"/>
    /// input; of the next few (below the kernel size), the first whose stride also covers every row and column.
    /// </summary>
    private static int FittingPadding(int kernel, int stride, int h, int w)
    {
        long shortest = Math.Min(h, w);
        int fits = (int)Math.Max(0, (kernel - shortest + 1) / 2);
        for (int q = fits; q < fits + Math.Max(stride, 1) && q < kernel; q++)
            if ((h + 2L * q - kernel) % stride == 0 && (w + 2L * q - kernel) % stride == 0)
                return q;
        return fits;
    }

    /// <summary>Diagnostic properties for a code fix, passed as the last argument of a problem.</summary>
    private static ImmutableDictionary<string, string?> FixProperties(string key, long value) =>
        FixProperties(key, value.ToString(CultureInfo.InvariantCulture));

    private static ImmutableDictionary<string, string?> FixProperties(string key, string value) =>
        ImmutableDictionary<string, string?>.Empty.Add(key, value);

    /// <summary>
    /// Unroll the whole window times a channel block when it fits the budget: each tap costs one load plus one
    /// statement per channel (plus <paramref name="extra"/> for read-modify-write kernels).
    /// </summary>
    private static Unrolling ChooseUnrolling(int taps, int channels, int extra, int unrollMode, int maxBlock = MaxChannelBlock)
    {
        if (unrollMode == 2) return new Unrolling(false, 1);
        int fixedCost = 0;
        for (int block = Math.Min(channels, maxBlock); block >= 1; block--)
        {
            int tail = channels % block;
            long cost = fixedCost + (long)taps * (block + extra) + (tail > 0 ? (long)taps * (tail + extra) : 0);
            if (cost <= UnrollBudget) return new Unrolling(true, block);
        }
        return new Unrolling(false, 1);
    }

    /// <summary>
    /// Widens a small forward channel block across adjacent output columns (which must divide the output width)
    /// while the accumulators stay at most 18 and the statements within the budget.
    /// </summary>
    private static Unrolling WithPositionBlock(Unrolling u, int taps, int channels, int outputWidth)
    {
        if (!u.Taps) return u;
        int tail = channels % u.ChannelBlock;
        for (int p = 4; p >= 2; p--)
        {
            if (outputWidth % p != 0 || u.ChannelBlock * p > 18) continue;
            long cost = (long)taps * (u.ChannelBlock + 1) * p + (tail > 0 ? (long)taps * (tail + 1) * p : 0);
            if (cost <= UnrollBudget) return u with { PositionBlock = p };
        }
        return u;
    }

    /// <summary>Statements of the cheapest unrolling (a block of one channel), as counted by <see cref="ChooseUnrolling"/>.</summary>
    private static long MinimalCost(int taps, int extra) => (long)taps * (1 + extra);

    /// <summary>The product of three non-negative dimensions, exactly.</summary>
    private static BigInteger Volume(long a, long b, long c) => (BigInteger)a * b * c;

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>He when the next activation (past pooling, dropout, batch norm, flatten) is in the ReLU family; Glorot otherwise.</summary>
    private static InitKind InitFor(IReadOnlyList<LayerDecl> decls, int i)
    {
        for (int j = i + 1; j < decls.Count; j++)
        {
            switch (decls[j].Kind)
            {
                case LayerKind.ReLU:
                case LayerKind.LeakyReLU:
                    return InitKind.HeNormal;
                case LayerKind.MaxPool:
                case LayerKind.AvgPool:
                case LayerKind.Dropout:
                case LayerKind.BatchNorm:
                case LayerKind.Flatten:
                    continue;
                default:
                    return InitKind.GlorotUniform;
            }
        }
        return InitKind.GlorotUniform;
    }
}

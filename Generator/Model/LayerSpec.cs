using System.Globalization;

namespace CnnGen.Generator.Model;

internal enum LayerKind
{
    Conv2D, ReLU, LeakyReLU, Tanh, Sigmoid, MaxPool, AvgPool, Flatten, Dense, Dropout, BatchNorm, Softmax,
}

/// <summary>How a layer's weights are initialized.</summary>
internal enum InitKind { None, HeNormal, GlorotUniform }

/// <summary>One layer with its shapes already inferred and its place in the flat parameter and state spans.</summary>
internal abstract record LayerSpec
{
    /// <summary>Name in generated code, e.g. <c>Conv1</c>.</summary>
    public string Name { get; init; } = "";
    /// <summary>Buffer prefix, e.g. <c>conv1</c>.</summary>
    public string Prefix { get; init; } = "";
    /// <summary>Position in the network, from 0.</summary>
    public int Index { get; init; }
    public TensorShape Input { get; init; }
    public TensorShape Output { get; init; }
    public int ParameterOffset { get; init; }
    public int ParameterCount { get; init; }
    public int StateOffset { get; init; }
    public int StateCount { get; init; }

    public abstract LayerKind Kind { get; }
    /// <summary>One line for comments and the summary, e.g. <c>Conv2D 1->6, k=5, stride=1, pad=2</c>.</summary>
    public abstract string Describe();
    /// <summary>
    /// Backward writes (=) every element of its input gradient instead of accumulating (+=) into a cleared buffer: true
    /// when each input element gets exactly one contribution (element-wise layers, pools whose windows tile the input),
    /// which saves clearing the buffer and reading it back.
    /// </summary>
    public virtual bool WritesInputGradient => false;
    /// <summary>The part of the fingerprint that identifies this layer's architecture.</summary>
    public virtual string Fingerprint() => Describe();

    protected static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    protected static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>How much of a kernel window is unrolled.</summary>
/// <param name="Taps">The whole window is written out as straight-line statements.</param>
/// <param name="ChannelBlock">Output channels (or units) computed together, each with its own accumulator.</param>
/// <param name="PositionBlock">Adjacent output columns computed together (forward only), so that a small channel
/// block still has 12-18 independent accumulators.</param>
internal readonly record struct Unrolling(bool Taps, int ChannelBlock, int PositionBlock = 1);

internal sealed record Conv2DSpec(int Filters, int Kernel, int Stride, int Padding, bool Bias, InitKind Init,
                                  Unrolling Forward, Unrolling Backward) : LayerSpec
{
    public override LayerKind Kind => LayerKind.Conv2D;
    public override string Describe() =>
        $"Conv2D {I(Input.C)}->{I(Filters)}, k={I(Kernel)}, stride={I(Stride)}, pad={I(Padding)}{(Bias ? "" : ", no bias")}";
    public TensorShape Padded => TensorShape.Spatial(Input.C, Input.H + 2 * Padding, Input.W + 2 * Padding);
    /// <summary>Unrolling of the single-sample kernel (<c>_Predict</c>), whose values hold adjacent output columns.</summary>
    public Unrolling Predict { get; init; }
}

internal sealed record ActivationSpec(LayerKind ActivationKind, double Slope) : LayerSpec
{
    public override LayerKind Kind => ActivationKind;
    public override bool WritesInputGradient => true;
    /// <summary>
    /// A ReLU right before a max pool, which applies it: max over the window of max(x, 0) is max(0, max over the window),
    /// and the gradient passes only where that maximum is above 0. This layer then has no pass and no buffer of its own.
    /// </summary>
    public bool FusedIntoPool { get; init; }
    public override string Describe() => ActivationKind == LayerKind.LeakyReLU ? $"LeakyReLU, slope={F(Slope)}" : ActivationKind.ToString();
}

internal sealed record PoolSpec(LayerKind PoolKind, int Size, int Stride, bool Unrolled) : LayerSpec
{
    public override LayerKind Kind => PoolKind;
    /// <summary>The ReLU before this max pool is applied here (see <see cref="ActivationSpec.FusedIntoPool"/>).</summary>
    public bool ReluFused { get; init; }
    /// <summary>The windows tile the input: stride = size, and the size divides the height and width.</summary>
    public override bool WritesInputGradient => Stride == Size && Input.H % Size == 0 && Input.W % Size == 0;
    public override string Describe() => $"{PoolKind} {I(Size)}x{I(Size)}, stride={I(Stride)}";
}

internal sealed record FlattenSpec() : LayerSpec
{
    public override LayerKind Kind => LayerKind.Flatten;
    public override string Describe() => "Flatten";
}

internal sealed record DenseSpec(int Units, bool Bias, InitKind Init, int UnitBlock) : LayerSpec
{
    public override LayerKind Kind => LayerKind.Dense;
    public override string Describe() => $"Dense {I(Input.C)}->{I(Units)}{(Bias ? "" : ", no bias")}";
}

internal sealed record DropoutSpec(double Rate) : LayerSpec
{
    public override LayerKind Kind => LayerKind.Dropout;
    public override bool WritesInputGradient => true;
    public override string Describe() => $"Dropout, rate={F(Rate)}";
}

internal sealed record BatchNormSpec(double Momentum, double Epsilon) : LayerSpec
{
    public override LayerKind Kind => LayerKind.BatchNorm;
    public override string Describe() =>
        $"BatchNorm per {(Input.IsFlat ? "feature" : "channel")} ({I(Input.C)}), momentum={F(Momentum)}, eps={F(Epsilon)}";
    /// <summary>Values normalized together per channel, per sample: H x W (1 for flat inputs).</summary>
    public int Spatial => Input.H * Input.W;
}

internal sealed record SoftmaxSpec() : LayerSpec
{
    public override LayerKind Kind => LayerKind.Softmax;
    public override string Describe() => "Softmax + cross-entropy";
}

using System;
using System.Collections.Generic;

namespace CnnGen.Structure;

/// <summary>
/// One layer of a generated network as data: its kind, settings, shapes and where its weights and state live in
/// <see cref="INetwork.Parameters"/> and <see cref="INetwork.State"/>. Written by the generator
/// (<see cref="INetwork.Layers"/>), from the same plan as the code, so that tools (the ONNX exporter and importer)
/// need not parse <see cref="INetwork.Fingerprint"/>. Settings a kind does not have keep their defaults.
/// </summary>
public sealed record LayerInfo(string Name, LayerOp Op, LayerShape Input, LayerShape Output)
{
    /// <summary>Convolution filters, dense units, or a projection's output channels.</summary>
    public int Filters { get; init; }
    /// <summary>Convolution kernel or pooling window (square).</summary>
    public int Kernel { get; init; }
    /// <summary>Convolution, pooling or projection stride.</summary>
    public int Stride { get; init; } = 1;
    /// <summary>Zero padding on each side of a convolution.</summary>
    public int Padding { get; init; }
    /// <summary>Convolution channel groups (depthwise: the input channels).</summary>
    public int Groups { get; init; } = 1;
    /// <summary>A convolution or dense layer adds a bias.</summary>
    public bool Bias { get; init; }
    /// <summary>LeakyReLU's slope for negative inputs.</summary>
    public double Slope { get; init; }
    /// <summary>Dropout's rate (training only).</summary>
    public double Rate { get; init; }
    /// <summary>BatchNorm's running-statistics momentum.</summary>
    public double Momentum { get; init; }
    /// <summary>BatchNorm's epsilon: y = gamma (x - mean) / sqrt(var + epsilon) + beta.</summary>
    public double Epsilon { get; init; }
    /// <summary>Add: the index of the Residual layer whose input is added (-1 for other kinds).</summary>
    public int BlockStart { get; init; } = -1;
    /// <summary>Add: the skip path goes through a learned 1x1 convolution with bias (weights (Filters, skip channels, 1, 1)).</summary>
    public bool Projection { get; init; }
    /// <summary>The trainable tensors, in the order of the flat parameters (weights before bias; BatchNorm: gamma, beta).</summary>
    public IReadOnlyList<ParameterTensor> Parameters { get; init; } = Array.Empty<ParameterTensor>();
    /// <summary>Where the layer's state starts in <see cref="INetwork.State"/>: BatchNorm's running mean, then its running variance.</summary>
    public int StateOffset { get; init; }
    /// <summary>Values of state (BatchNorm: 2 x channels).</summary>
    public int StateCount { get; init; }
}

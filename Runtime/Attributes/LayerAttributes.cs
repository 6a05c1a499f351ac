using System;

namespace CnnGen;

/// <summary>2-D convolution: <c>filters</c> output channels, a square <c>kernel</c>, with stride, zero padding and bias.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    public Conv2DAttribute(int filters, int kernel) { Filters = filters; Kernel = kernel; }
    public int Filters { get; }
    public int Kernel { get; }
    public int Stride { get; set; } = 1;
    public int Padding { get; set; }
    public bool Bias { get; set; } = true;
    /// <summary>
    /// Channel groups: input channels and filters are split into this many groups, each filter sees only its group's
    /// input channels (weights (filters, channels / groups, kernel, kernel)). Equal to the input channels, with
    /// filters a multiple of them, it is a depthwise convolution. Must divide both. Default 1.
    /// </summary>
    public int Groups { get; set; } = 1;
}

/// <summary>Rectified linear unit: <c>max(x, 0)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute { }

/// <summary>Leaky ReLU: <c>x</c> for positive inputs, <c>slope * x</c> otherwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    public LeakyReLUAttribute() : this(0.01) { }
    public LeakyReLUAttribute(double slope) { Slope = slope; }
    public double Slope { get; }
}

/// <summary>Hyperbolic tangent.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute { }

/// <summary>Logistic sigmoid: <c>1 / (1 + exp(-x))</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute { }

/// <summary>Max pooling over a square window; the stride defaults to the window size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : LayerAttribute
{
    public MaxPoolAttribute(int size) : this(size, size) { }
    public MaxPoolAttribute(int size, int stride) { Size = size; Stride = stride; }
    public int Size { get; }
    public int Stride { get; }
}

/// <summary>Average pooling over a square window; the stride defaults to the window size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute : LayerAttribute
{
    public AvgPoolAttribute(int size) : this(size, size) { }
    public AvgPoolAttribute(int size, int stride) { Size = size; Stride = stride; }
    public int Size { get; }
    public int Stride { get; }
}

/// <summary>Reshapes (C, H, W) to (C*H*W); costs nothing at run time.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute { }

/// <summary>Fully connected layer with <c>units</c> outputs; its input must be flat (use <see cref="FlattenAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    public DenseAttribute(int units) { Units = units; }
    public int Units { get; }
    public bool Bias { get; set; } = true;
}

/// <summary>
/// Inverted dropout: in training each value is zeroed with probability <c>rate</c> and the rest scaled by
/// <c>1 / (1 - rate)</c>; in inference it is the identity. Masks are drawn from the training seed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    public DropoutAttribute(double rate) { Rate = rate; }
    public double Rate { get; }
}

/// <summary>
/// Batch normalization per channel (after a convolution) or per feature (after a dense layer), with a
/// learned scale and shift and running statistics used in inference.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    public double Momentum { get; set; } = 0.1;
    public double Epsilon { get; set; } = 1e-5;
}

/// <summary>Final softmax; in training it is fused with cross-entropy loss (gradient <c>p - y</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute { }

/// <summary>
/// Global average pooling: (C, H, W) to C features, the mean of each channel's plane. Its output is flat, so a
/// <c>Dense</c> layer may follow without <c>Flatten</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute { }

/// <summary>
/// Opens a residual block: the tensor here (the block's input) is kept and added to the block's output by the
/// <c>Add</c> that closes the block. Blocks do not nest.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : LayerAttribute { }

/// <summary>
/// Closes the residual block opened by the nearest <c>Residual</c> before it: output = block output + block input.
/// When the block changes the shape (more channels, a stride), set <see cref="Projection"/> to add the input through
/// a strided 1x1 convolution with bias instead.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute : LayerAttribute
{
    /// <summary>Project the block's input with a learned strided 1x1 convolution (with bias) before adding it.</summary>
    public bool Projection { get; set; }
}

namespace CnnGen.Structure;

/// <summary>The kind of a layer in a <see cref="LayerInfo"/>: one value per layer attribute.</summary>
public enum LayerOp
{
    /// <summary><c>[Conv2D]</c>: settings Filters, Kernel, Stride, Padding, Groups, Bias.</summary>
    Conv2D,
    /// <summary><c>[ReLU]</c>.</summary>
    ReLU,
    /// <summary><c>[LeakyReLU]</c>: setting Slope.</summary>
    LeakyReLU,
    /// <summary><c>[Tanh]</c>.</summary>
    Tanh,
    /// <summary><c>[Sigmoid]</c>.</summary>
    Sigmoid,
    /// <summary><c>[MaxPool]</c>: settings Kernel (the window), Stride; no padding, windows that do not fit are dropped.</summary>
    MaxPool,
    /// <summary><c>[AvgPool]</c>: as <see cref="MaxPool"/>.</summary>
    AvgPool,
    /// <summary><c>[Flatten]</c>: (C,H,W) to C*H*W in (C,H,W) order.</summary>
    Flatten,
    /// <summary><c>[Dense]</c>: settings Filters (the units), Bias.</summary>
    Dense,
    /// <summary><c>[Dropout]</c>: setting Rate; the identity in inference.</summary>
    Dropout,
    /// <summary><c>[BatchNorm]</c>: settings Momentum, Epsilon; per channel (spatial input) or per feature (flat input).</summary>
    BatchNorm,
    /// <summary><c>[Softmax]</c>: the last layer.</summary>
    Softmax,
    /// <summary><c>[GlobalAvgPool]</c>: (C,H,W) to C.</summary>
    GlobalAvgPool,
    /// <summary><c>[Residual]</c>: opens a block; its input is added to the block's output by the <see cref="Add"/> that closes it.</summary>
    Residual,
    /// <summary><c>[Add]</c>: closes the block opened at layer BlockStart; with Projection, through a 1x1 convolution with bias of stride Stride.</summary>
    Add,
}

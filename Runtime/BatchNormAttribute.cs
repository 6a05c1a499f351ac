using System;

namespace CnnGen;

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

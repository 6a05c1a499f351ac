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

using System;

namespace CnnGen;

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

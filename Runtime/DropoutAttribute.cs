using System;

namespace CnnGen;

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

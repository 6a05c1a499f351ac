using System;

namespace CnnGen;

/// <summary>Leaky ReLU: <c>x</c> for positive inputs, <c>slope * x</c> otherwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    public LeakyReLUAttribute() : this(0.01) { }
    public LeakyReLUAttribute(double slope) { Slope = slope; }
    public double Slope { get; }
}

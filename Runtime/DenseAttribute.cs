using System;

namespace CnnGen;

/// <summary>Fully connected layer with <c>units</c> outputs; its input must be flat (use <see cref="FlattenAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    public DenseAttribute(int units) { Units = units; }
    public int Units { get; }
    public bool Bias { get; set; } = true;
}

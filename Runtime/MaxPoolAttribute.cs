using System;

namespace CnnGen;

/// <summary>Max pooling over a square window; the stride defaults to the window size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPoolAttribute : LayerAttribute
{
    public MaxPoolAttribute(int size) : this(size, size) { }
    public MaxPoolAttribute(int size, int stride) { Size = size; Stride = stride; }
    public int Size { get; }
    public int Stride { get; }
}

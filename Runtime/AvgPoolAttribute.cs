using System;

namespace CnnGen;

/// <summary>Average pooling over a square window; the stride defaults to the window size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPoolAttribute : LayerAttribute
{
    public AvgPoolAttribute(int size) : this(size, size) { }
    public AvgPoolAttribute(int size, int stride) { Size = size; Stride = stride; }
    public int Size { get; }
    public int Stride { get; }
}

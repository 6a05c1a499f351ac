using System;

namespace CnnGen;

/// <summary>Common base of every layer attribute.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name in generated code (<c>{Name}_Forward</c>, <c>{name}_w</c>).
    /// Defaults to the kind plus a per-kind ordinal (<c>Conv1</c>, <c>Dense2</c>).
    /// </summary>
    public string? Name { get; set; }
}

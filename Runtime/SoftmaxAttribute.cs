using System;

namespace CnnGen;

/// <summary>Final softmax; in training it is fused with cross-entropy loss (gradient <c>p - y</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute { }

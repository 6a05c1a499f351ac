using System;

namespace CnnGen;

/// <summary>Rectified linear unit: <c>max(x, 0)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute { }

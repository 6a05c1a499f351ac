using System;

namespace CnnGen;

/// <summary>Reshapes (C, H, W) to (C*H*W); costs nothing at run time.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute { }

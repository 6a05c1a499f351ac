using System;

namespace CnnGen;

/// <summary>
/// Global average pooling: (C, H, W) to C features, the mean of each channel's plane. Its output is flat, so a
/// <c>Dense</c> layer may follow without <c>Flatten</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPoolAttribute : LayerAttribute { }

using System;

namespace CnnGen;

/// <summary>Logistic sigmoid: <c>1 / (1 + exp(-x))</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute { }

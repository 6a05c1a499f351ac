using System;

namespace CnnGen;

/// <summary>
/// Opens a residual block: the tensor here (the block's input) is kept and added to the block's output by the
/// <c>Add</c> that closes the block. Blocks do not nest.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ResidualAttribute : LayerAttribute { }

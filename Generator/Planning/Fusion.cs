using System.Collections.Generic;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning;

/// <summary>Layers computed by their neighbour instead of a pass of their own.</summary>
internal static class Fusion
{
    /// <summary>
    /// ReLU then max pool: the pool applies the ReLU to each window's maximum (one Max per output instead of a pass
    /// over every input), and its backward applies the ReLU's gradient mask. Called as each layer is added.
    /// </summary>
    public static LayerSpec Fuse(List<LayerSpec> layers, LayerSpec next)
    {
        if (next is PoolSpec { IsMax: true } pool && layers.Count > 0
            && layers[layers.Count - 1] is ActivationSpec { Function: ActivationFunction.ReLU } relu)
        {
            layers[layers.Count - 1] = relu with { FusedIntoPool = true };
            return pool with { ReluFused = true };
        }
        return next;
    }
}

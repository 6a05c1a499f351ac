using System.Collections.Generic;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning;

/// <summary>Layers computed by their neighbour instead of a pass of their own.</summary>
internal static class Fusion
{
    /// <summary>
    /// ReLU then max pool: the pool applies the ReLU to each window's maximum (one Max per output instead of a pass
    /// over every input), and its backward applies the ReLU's gradient mask. BatchNorm then ReLU: the BatchNorm applies
    /// both. Add then ReLU: the Add applies the ReLU forward. Residual then a padded convolution: the convolution's
    /// Unpad sums the two gradients of the block's input. Called as each layer is added (a ReLU is fused once the layer
    /// after it is known).
    /// </summary>
    public static LayerSpec Fuse(List<LayerSpec> layers, LayerSpec next)
    {
        if (next is PoolSpec { IsMax: true } pool && layers.Count > 0
            && layers[layers.Count - 1] is ActivationSpec { Function: ActivationFunction.ReLU } relu)
        {
            layers[layers.Count - 1] = relu with { FusedIntoPool = true };
            return pool with { ReluFused = true };
        }
        // Convolution then BatchNorm: in inference the convolution's forward kernel applies the BatchNorm (a scale and
        // shift per channel from the running statistics, and the BatchNorm's fused ReLU) as it writes the BatchNorm's
        // output, so inference has no BatchNorm pass; training keeps it (batch statistics need the whole batch).
        if (next is BatchNormSpec batchNormNext && layers.Count > 0 && layers[layers.Count - 1] is Conv2DSpec convBefore)
        {
            layers[layers.Count - 1] = convBefore with { FoldsBatchNorm = true };
            return batchNormNext with { FoldedIntoConv = true };
        }
        // Residual then a padded convolution (the first layer of the block): the convolution's Unpad adds the skip path's
        // gradient as it writes the block input's gradient, so the Residual needs no backward pass (dx = dy + dskip) and
        // no gradient buffer of its own.
        if (next is Conv2DSpec { Padding: > 0 } conv && layers.Count > 0 && layers[layers.Count - 1] is ResidualSpec residual)
        {
            layers[layers.Count - 1] = residual with { SumFusedIntoUnpad = true };
            return conv with { AddsSkipGradient = true };
        }
        // A ReLU whose next layer is known and is not a max pool (which takes it, as above):
        if (layers.Count > 1
            && layers[layers.Count - 1] is ActivationSpec { Function: ActivationFunction.ReLU, FusedIntoPool: false, FusedIntoBatchNorm: false, FusedIntoAdd: false } reluAfter)
        {
            // BatchNorm then ReLU: the BatchNorm's last loop applies the ReLU as it writes, and its backward applies the
            // ReLU's gradient mask as it reads dy, so the ReLU needs no pass of its own in either direction.
            if (layers[layers.Count - 2] is BatchNormSpec batchNorm)
            {
                layers[layers.Count - 2] = batchNorm with { ReluFused = true };
                layers[layers.Count - 1] = reluAfter with { FusedIntoBatchNorm = true };
            }
            // Add then ReLU (the end of a residual block): the Add writes max(sum, 0), so the ReLU has no forward pass;
            // its backward stays a pass of its own (the Add's input gradient is the output's own buffer, which two paths read).
            else if (layers[layers.Count - 2] is AddSpec add)
            {
                layers[layers.Count - 2] = add with { ReluFused = true };
                layers[layers.Count - 1] = reluAfter with { FusedIntoAdd = true };
            }
        }
        // A padded convolution fed by a convolution whose BatchNorm it folds (through the BatchNorm's fused ReLU, if any):
        // in inference that convolution writes into the middle of this one's padded input, which needs no Pad copy there.
        if (next is Conv2DSpec { Padding: > 0 } padded)
        {
            int i = layers.Count - 1;
            if (i >= 0 && layers[i] is ActivationSpec { FusedIntoBatchNorm: true }) i--;
            if (i >= 1 && layers[i] is BatchNormSpec { FoldedIntoConv: true } && layers[i - 1] is Conv2DSpec { FoldsBatchNorm: true } producer)
            {
                layers[i - 1] = producer with { PaddedOutput = padded.Padding };
                return padded with { InputPaddedInInference = true };
            }
        }
        return next;
    }
}

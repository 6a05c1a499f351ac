using System.Linq;
using System.Runtime;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>A network only this test compiles, so that its kernels are not yet compiled when the test starts.</summary>
[Network(1, 8, 8)]
[Conv2D(3, 3, Padding = 1), ReLU, MaxPool(2)]
[Flatten, Dense(5), Softmax]
public partial class PrecompiledNet { }

/// <summary>
/// The Trainer's background compilation under the JIT: it must find exactly the batch kernels of a generated class
/// (so a renamed kernel or a dropped AggressiveOptimization shows here, not as a silently slower start-up) and
/// compile them.
/// </summary>
public sealed class KernelPrecompilerTests
{
    [Fact]
    public void Finds_the_passes_and_every_layer_kernel_but_not_the_single_sample_ones_and_compiles_them()
    {
        var names = KernelPrecompiler.Kernels(typeof(PrecompiledNet)).Select(m => m.Name).ToList();
        // the passes first, then the layer kernels from the last layer down; Relu1 is fused into Pool1 (no kernels),
        // and Conv1, the first layer, computes no input gradient (no Unpad)
        Assert.Equal(
            ["Backward", "Forward", "Dense1_Backward", "Dense1_Forward", "Pool1_Backward", "Pool1_Forward",
             "Conv1_Backward", "Conv1_Forward", "Conv1_Pad"],
            names);
        Assert.DoesNotContain(names, n => n.EndsWith("_Predict"));

        long before = JitInfo.GetCompiledMethodCount(currentThread: true);
        KernelPrecompiler.Compile(typeof(PrecompiledNet), typeof(Lane8));
        long compiled = JitInfo.GetCompiledMethodCount(currentThread: true) - before;
        Assert.True(compiled >= names.Count, $"{compiled} methods compiled for {names.Count} kernels");
    }
}

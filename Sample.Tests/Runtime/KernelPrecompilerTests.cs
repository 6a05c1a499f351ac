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

/// <summary>A second convolution of 16 filters whose input gradient comes in two forms (32 and 16 vector registers).</summary>
[Network(1, 8, 8)]
[Conv2D(4, 3, Padding = 1), ReLU]
[Conv2D(16, 3, Padding = 1), ReLU]
[Flatten, Dense(5), Softmax]
public partial class PrecompiledTwoFormsNet { }

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
        // and Conv1, the first layer, computes no input gradient (no Unpad); its forward kernel (3 channels times 4
        // columns) has a form for 16 vector registers, and only the form this CPU calls is compiled
        Assert.Equal(
            ["Backward", "Forward", "Dense1_Backward", "Dense1_Forward", "Pool1_Backward", "Pool1_Forward",
             "Conv1_Backward", VectorRegisters.Many ? "Conv1_Forward" : "Conv1_ForwardNarrow", "Conv1_Pad"],
            names);
        Assert.DoesNotContain(names, n => n.EndsWith("_Predict"));

        long before = JitInfo.GetCompiledMethodCount(currentThread: true);
        KernelPrecompiler.Compile(typeof(PrecompiledNet), typeof(Lane8));
        long compiled = JitInfo.GetCompiledMethodCount(currentThread: true) - before;
        Assert.True(compiled >= names.Count, $"{compiled} methods compiled for {names.Count} kernels");
    }

    [Fact]
    public void Compiles_only_the_form_of_a_two_form_kernel_that_this_CPU_calls()
    {
        var names = KernelPrecompiler.Kernels(typeof(PrecompiledTwoFormsNet)).Select(m => m.Name).ToList();
        // the generated class holds both forms of Conv2's input gradient ...
        var declared = typeof(PrecompiledTwoFormsNet).GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Select(m => m.Name).ToList();
        Assert.Contains("Conv2_BackwardInput", declared);
        Assert.Contains("Conv2_BackwardInputNarrow", declared);
        // ... and the precompiler takes the one the generated Backward calls on this CPU, not both
        Assert.Contains(VectorRegisters.Many ? "Conv2_BackwardInput" : "Conv2_BackwardInputNarrow", names);
        Assert.DoesNotContain(VectorRegisters.Many ? "Conv2_BackwardInputNarrow" : "Conv2_BackwardInput", names);
        Assert.Contains("Conv2_Backward", names);
    }
}

using System.Runtime.CompilerServices;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// One snapshot per layer kind and per interesting configuration. Each test first proves the generated file compiles
/// with no warning, then pins it in <c>Snapshots/SnapshotTests.{Method}#{HintName}.verified.cs</c>.
/// </summary>
public class SnapshotTests
{
    /// <summary>Runs the generator on <paramref name="source"/>, asserts one clean file, compares it with the test's snapshot.</summary>
    private void Verify(string source, string hintName, [CallerMemberName] string method = "")
    {
        var run = GeneratorHarness.RunClean(source);
        Assert.Equal(hintName, Assert.Single(run.Sources).HintName);
        SnapshotAssert.GeneratedSources(this, run, method);
    }

    [Fact]
    public void LeNet5()
    {
        var run = GeneratorHarness.RunClean("""
            using CnnGen;
            namespace Samples;

            [Network(1, 28, 28)]
            [Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
            [Conv2D(16, 5), ReLU, MaxPool(2)]
            [Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
            public partial class LeNet5 { }
            """);
        Assert.Equal("Samples.LeNet5.g.cs", Assert.Single(run.Sources).HintName);
        SnapshotAssert.GeneratedSources(this, run);
    }

    [Fact]
    public void Conv2D_stride2_without_bias() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 28, 28)]
            [Conv2D(8, 4, Stride = 2, Bias = false), ReLU]
            [Flatten, Dense(10), Softmax]
            public partial class StridedConv { }
            """, "Samples.StridedConv.g.cs");

    [Fact]
    public void LeakyReLU() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 12, 12)]
            [Conv2D(4, 3), LeakyReLU(0.1), MaxPool(2)]
            [Flatten, Dense(10), Softmax]
            public partial class Leaky { }
            """, "Samples.Leaky.g.cs");

    [Fact]
    public void Tanh() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(16)]
            [Dense(8), Tanh, Dense(2), Softmax]
            public partial class TanhNet { }
            """, "Samples.TanhNet.g.cs");

    [Fact]
    public void Sigmoid() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(2, 6, 6)]
            [Conv2D(3, 3), Sigmoid]
            [Flatten, Dense(4), Sigmoid, Dense(2), Softmax]
            public partial class SigmoidNet { }
            """, "Samples.SigmoidNet.g.cs");

    [Fact]
    public void MaxPool_overlapping() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(2, 9, 9)]
            [Conv2D(4, 3), ReLU, MaxPool(3, 2)]
            [Flatten, Dense(5), Softmax]
            public partial class OverlappingPool { }
            """, "Samples.OverlappingPool.g.cs");

    [Fact]
    public void AvgPool() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 8, 8)]
            [Conv2D(4, 3, Padding = 1), ReLU, AvgPool(2)]
            [Flatten, Dense(10), Softmax]
            public partial class Averaging { }
            """, "Samples.Averaging.g.cs");

    /// <summary>A residual block with the identity skip, one with a strided projection, global average pooling.</summary>
    [Fact]
    public void Residual_blocks_and_global_pooling() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 8, 8)]
            [Conv2D(4, 3, Padding = 1), ReLU]
            [Residual, Conv2D(4, 3, Padding = 1), BatchNorm, ReLU, Conv2D(4, 3, Padding = 1), Add, ReLU]
            [Residual, Conv2D(8, 3, Stride = 2, Padding = 1), ReLU, Add(Projection = true), ReLU]
            [GlobalAvgPool, Dense(10), Softmax]
            public partial class Residuals { }
            """, "Samples.Residuals.g.cs");

    /// <summary>A grouped convolution, a depthwise one with a stride and a pointwise 1x1 (MobileNet's block).</summary>
    [Fact]
    public void Grouped_and_depthwise_convolution() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(4, 8, 8)]
            [Conv2D(8, 3, Padding = 1, Groups = 2), ReLU]
            [Conv2D(8, 3, Stride = 2, Padding = 1, Groups = 8, Bias = false), BatchNorm, ReLU, Conv2D(16, 1)]
            [GlobalAvgPool, Dense(10), Softmax]
            public partial class Separable { }
            """, "Samples.Separable.g.cs");

    [Fact]
    public void Flatten() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(3, 4, 4)]
            [Flatten, Dense(5), Softmax]
            public partial class FlattenOnly { }
            """, "Samples.FlattenOnly.g.cs");

    [Fact]
    public void Dense_without_bias() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(20)]
            [Dense(16, Bias = false), ReLU, Dense(3, Bias = false), Softmax]
            public partial class NoBias { }
            """, "Samples.NoBias.g.cs");

    [Fact]
    public void Dropout() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(20)]
            [Dense(16), ReLU, Dropout(0.5), Dense(3), Softmax]
            public partial class Dropping { }
            """, "Samples.Dropping.g.cs");

    [Fact]
    public void BatchNorm_after_conv_and_dense() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), BatchNorm, ReLU, MaxPool(2)]
            [Flatten, Dense(8), BatchNorm(Momentum = 0.2, Epsilon = 0.001), ReLU, Dense(3), Softmax]
            public partial class Normalized { }
            """, "Samples.Normalized.g.cs");

    [Fact]
    public void Flat_input() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(20)] [Dense(16), ReLU, Dense(3), Softmax]
            public partial class Mlp { }
            """, "Samples.Mlp.g.cs");

    [Fact]
    public void Unroll_None() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 12, 12, Unroll = Unroll.None)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, Dense(10), Softmax]
            public partial class Loops { }
            """, "Samples.Loops.g.cs");

    [Fact]
    public void Custom_layer_names() => Verify("""
            using CnnGen;
            namespace Samples;

            [Network(1, 6, 6)]
            [Conv2D(2, 3, Name = "Features"), ReLU(Name = "Gate")]
            [Flatten, Dense(3, Name = "Classifier"), Softmax]
            public partial class Named { }
            """, "Samples.Named.g.cs");

    [Fact]
    public void Global_namespace() => Verify("""
            using CnnGen;

            [Network(10)]
            [Dense(4), ReLU, Dense(2), Softmax]
            public partial class GlobalNet { }
            """, "GlobalNet.g.cs");

    [Fact]
    public void Block_namespace() => Verify("""
            using CnnGen;

            namespace Outer.Inner
            {
                [Network(10)]
                [Dense(4), ReLU, Dense(2), Softmax]
                internal partial class BlockNet { }
            }
            """, "Outer.Inner.BlockNet.g.cs");
}

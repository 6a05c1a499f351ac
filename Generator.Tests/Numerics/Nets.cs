using CnnGen;

namespace CnnGen.Generator.Tests.Numerics;

// Small networks that together use every layer kind and the interesting configurations, so the real
// emitted code runs under the numerical tests. Inputs are tiny: the test project is built in Debug.

[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class LeNet5 { }

/// <summary>Conv2D with zero padding and stride 2, ReLU, Dense.</summary>
[Network(2, 9, 9)]
[Conv2D(4, 3, Padding = 1, Stride = 2), ReLU]
[Flatten, Dense(5), Softmax]
public partial class ConvPadStrideNet { }

/// <summary>Conv2D without bias and with 20 output channels (a block of 16 and a tail of 4), Tanh, AvgPool.</summary>
[Network(3, 8, 8)]
[Conv2D(20, 3, Bias = false), Tanh, AvgPool(2)]
[Flatten, Dense(4), Softmax]
public partial class WideConvTanhNet { }

/// <summary>LeakyReLU, overlapping MaxPool(3, 2), Dense(20) without bias (a tail of 4 past 16), Sigmoid.</summary>
[Network(2, 9, 9)]
[Conv2D(3, 3), LeakyReLU(0.1), MaxPool(3, 2)]
[Flatten, Dense(20, Bias = false), Sigmoid, Dense(4), Softmax]
public partial class LeakyOverlapNet { }

/// <summary>Dropout between dense layers.</summary>
[Network(2, 6, 6)]
[Conv2D(4, 3), ReLU, MaxPool(2)]
[Flatten, Dense(20), ReLU, Dropout(0.3), Dense(3), Softmax]
public partial class DropoutNet { }

/// <summary>BatchNorm after a convolution (per channel) and after a dense layer (per feature).</summary>
[Network(2, 6, 6)]
[Conv2D(5, 3), BatchNorm, ReLU]
[Flatten, Dense(20), BatchNorm, Tanh, Dense(3), Softmax]
public partial class BatchNormNet { }

/// <summary>
/// Two residual blocks: one with the identity skip (through BatchNorm and a ReLU), one that halves the size and widens
/// the channels (a projection with stride 2); global average pooling feeds the dense layer directly. Smooth
/// activations: behind a global average every weight reaches every position, so with ReLUs most weights' central
/// differences straddle some kink (ReLU's own gradient is checked by the other nets).
/// </summary>
[Network(2, 8, 8)]
[Conv2D(4, 3, Padding = 1), Tanh]
[Residual, Conv2D(4, 3, Padding = 1), BatchNorm, Sigmoid, Conv2D(4, 3, Padding = 1), Add, Tanh]
[Residual, Conv2D(6, 3, Stride = 2, Padding = 1), Tanh, Add(Projection = true)]
[GlobalAvgPool, Dense(5), Softmax]
public partial class ResidualNet { }

/// <summary>
/// Residual blocks closed by ReLUs, which the Adds apply (identity and projection), after a BatchNorm whose ReLU it applies
/// too. A flatten and dense layer instead of global pooling, so that fewer weights' central differences straddle a kink.
/// </summary>
[Network(2, 6, 6)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm, ReLU]
[Residual, Conv2D(4, 3, Padding = 1), Tanh, Add, ReLU]
[Residual, Conv2D(6, 3, Stride = 2, Padding = 1), Tanh, Add(Projection = true), ReLU]
[Flatten, Dense(3), Softmax]
public partial class ResidualReluNet { }

/// <summary>
/// Projections wide enough for the forward's blocks of positions times channels (8 and 4 output channels: 3 and 5
/// positions a block, with 32 vector registers), over 16 output positions each, so that both leave a tail for the
/// one-position loop.
/// </summary>
[Network(2, 7, 7)]
[Conv2D(4, 3, Padding = 1), Tanh]
[Residual, Conv2D(8, 3, Stride = 2, Padding = 1), Tanh, Add(Projection = true), Tanh]
[Residual, Conv2D(4, 3, Padding = 1), Tanh, Add(Projection = true)]
[Flatten, Dense(3), Softmax]
public partial class ProjectionBlockNet { }

/// <summary>
/// The input gradient's gather with a tail: Conv2 reads 20 channels, so its gather writes dx in a block of 16 (8 with
/// 16 vector registers) and a tail of 4; Conv3's 5x5 window with padding 2 reads dy in a zero border of 2.
/// </summary>
[Network(2, 6, 6)]
[Conv2D(20, 3, Padding = 1), Tanh]
[Conv2D(4, 3, Padding = 1), Tanh, Conv2D(3, 5, Padding = 2), Tanh]
[Flatten, Dense(3), Softmax]
public partial class GatherTailNet { }

/// <summary>
/// Convolutions whose folded BatchNorm, written out per accumulator, would pass the JIT's inlining budget, so the
/// forward kernel applies it in a loop over the values just written: 16 channels of a 5x5 window (with the BatchNorm's
/// ReLU), and 8 channels times 2 columns.
/// </summary>
[Network(1, 6, 6)]
[Conv2D(16, 5, Padding = 2, Bias = false), BatchNorm, ReLU]
[Conv2D(8, 5, Padding = 2, Bias = false), BatchNorm, Tanh]
[Flatten, Dense(3), Softmax]
public partial class FoldLoopNet { }

/// <summary>
/// Convolutions that apply their BatchNorm in inference and write into the middle of the next convolution's padded
/// input: a biased one through the BatchNorm's ReLU into a border of 1, a grouped one without a ReLU into a border of 2
/// of a strided convolution, whose own BatchNorm and ReLU feed the dense layer.
/// </summary>
[Network(2, 7, 7)]
[Conv2D(4, 3, Padding = 1), BatchNorm, ReLU]
[Conv2D(4, 3, Padding = 1, Groups = 2, Bias = false), BatchNorm]
[Conv2D(6, 3, Stride = 2, Padding = 2, Bias = false), BatchNorm, ReLU]
[Flatten, Dense(3), Softmax]
public partial class FoldedChainNet { }

/// <summary>FoldedChainNet with every window as plain loops: the loop form of the forward kernel folds and writes padded too.</summary>
[Network(2, 7, 7, Unroll = Unroll.None)]
[Conv2D(4, 3, Padding = 1), BatchNorm, ReLU]
[Conv2D(4, 3, Padding = 1, Groups = 2, Bias = false), BatchNorm]
[Conv2D(6, 3, Stride = 2, Padding = 2, Bias = false), BatchNorm, ReLU]
[Flatten, Dense(3), Softmax]
public partial class FoldedChainLoopsNet { }

/// <summary>
/// A residual block at the very input (nothing before it trains), an empty block with a projection of stride 1,
/// and global average pooling over a non-square plane (Tanh for the reason given at ResidualNet).
/// </summary>
[Network(3, 6, 5)]
[Residual, Conv2D(3, 3, Padding = 1), Tanh, Add]
[Residual, Add(Projection = true)]
[GlobalAvgPool, Dense(4), Softmax]
public partial class SkipFirstNet { }

/// <summary>
/// The single-sample kernels with output channels in the lanes: a stride-2 convolution without bias whose 11-column
/// rows run as a block of 8 and one of 3, BatchNorm over channels, a projection of stride 1 and one of stride 2 after a
/// 6-column convolution; then dense layers with an input tail (20 inputs: 16 + 4), an output count that is not a
/// multiple of 4, and fewer inputs than lanes. The first convolution (2 channels in) and the 11-column ones of stride 1
/// keep the column form. 16 channels throughout (the fewest the form takes) and 5 rows: the gradient checks run it
/// many times, also without AVX.
/// </summary>
[Network(2, 5, 21)]
[Conv2D(16, 3, Padding = 1), Tanh]
[Conv2D(16, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, Tanh]
[Residual, Conv2D(16, 3, Padding = 1), Tanh, Conv2D(16, 3, Padding = 1), Add(Projection = true), Tanh]
[Residual, Conv2D(16, 3, Stride = 2, Padding = 1), Add(Projection = true)]
[Flatten, Dense(20), Tanh, Dense(5), Sigmoid, Dense(3), Softmax]
public partial class ChannelLanesNet { }

/// <summary>
/// A grouped convolution (2 groups), a depthwise one with a stride (6 groups of one channel), a 1x1 pointwise one,
/// global average pooling (smooth activations, as in ResidualNet).
/// </summary>
[Network(4, 7, 7)]
[Conv2D(6, 3, Padding = 1, Groups = 2), Tanh, Conv2D(6, 3, Stride = 2, Groups = 6), Sigmoid, Conv2D(4, 1)]
[GlobalAvgPool, Dense(3), Softmax]
public partial class GroupedNet { }

/// <summary>Grouped and depthwise convolutions with every window as plain loops, and a depthwise multiplier of 2.</summary>
[Network(4, 6, 6, Unroll = Unroll.None)]
[Conv2D(8, 3, Padding = 1, Groups = 4), Tanh, Conv2D(16, 3, Groups = 8, Bias = false), Tanh]
[Flatten, Dense(3), Softmax]
public partial class GroupedLoopsNet { }

/// <summary>A grouped convolution and the same network without groups, for <see cref="GroupedConvolutionTests"/>.</summary>
[Network(4, 6, 6)]
[Conv2D(6, 3, Padding = 1, Groups = 2), Tanh]
[Flatten, Dense(3), Softmax]
public partial class GroupedPairNet { }

[Network(4, 6, 6)]
[Conv2D(6, 3, Padding = 1), Tanh]
[Flatten, Dense(3), Softmax]
public partial class UngroupedPairNet { }

/// <summary>Plain loops everywhere (Unroll.None), two convolutions (17 channels, then stride 2), dense tail.</summary>
[Network(2, 10, 10, Unroll = Unroll.None)]
[Conv2D(17, 3, Padding = 1), ReLU, MaxPool(2)]
[Conv2D(4, 3, Stride = 2), Tanh]
[Flatten, Dense(18), Sigmoid, Dense(3), Softmax]
public partial class NoUnrollNet { }

/// <summary>A flat input vector: dense layers only.</summary>
[Network(12)]
[Dense(20), Tanh, Dense(17), LeakyReLU(0.1), Dense(5, Bias = false), Softmax]
public partial class FlatNet { }

/// <summary>Max-pool ties: a 2x2 convolution without bias (weights set by the test), then MaxPool(2).</summary>
[Network(1, 5, 5)]
[Conv2D(1, 2, Bias = false), MaxPool(2)]
[Flatten, Dense(3), Softmax]
public partial class TiePoolNet { }

/// <summary>Max-pool ties with overlapping windows: a 2x2 convolution without bias, then MaxPool(3, 2).</summary>
[Network(1, 8, 8)]
[Conv2D(1, 2, Bias = false), MaxPool(3, 2)]
[Flatten, Dense(3), Softmax]
public partial class TieOverlapPoolNet { }

/// <summary>Max-pool ties after a ReLU (fused into the pool): windows of equal positives, of zeros and of negatives only.</summary>
[Network(1, 5, 5)]
[Conv2D(1, 2, Bias = false), ReLU, MaxPool(2)]
[Flatten, Dense(3), Softmax]
public partial class TieReluPoolNet { }

/// <summary>The same with overlapping windows: MaxPool(3, 2) after a ReLU.</summary>
[Network(1, 8, 8)]
[Conv2D(1, 2, Bias = false), ReLU, MaxPool(3, 2)]
[Flatten, Dense(3), Softmax]
public partial class TieReluOverlapPoolNet { }

/// <summary>Deliberately large kernels, for the IL budget only (PERFORMANCE.md rule 3): 32 x 11x11 taps on 3 channels.</summary>
[Network(3, 32, 32)]
[Conv2D(32, 11), ReLU, MaxPool(2)]
[Flatten, Dense(16), Softmax]
public partial class BigKernelNet { }

/// <summary>
/// BatchNorm over 3 x 24 x 24 inputs (576 values per channel and sample, thousands per channel in a batch), for the
/// float64 reference comparison of <see cref="BatchNormPrecisionTests"/>.
/// </summary>
[Network(3, 24, 24)]
[BatchNorm, Flatten, Dense(10), Softmax]
public partial class BatchNormPrecisionNet { }

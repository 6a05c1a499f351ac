using CnnGen;

namespace CnnGen.Onnx.Tests;

/// <summary>
/// The CnnGen declaration of Onnx/scripts/export_pytorch.py's <c>kinds()</c> (its LeNet-5 is Sample.Mnist's): BatchNorm
/// after a convolution and a dense layer, LeakyReLU, AvgPool, a residual block joined directly and one through a strided
/// 1x1 projection, grouped and depthwise convolutions, Sigmoid, Tanh, global average pooling, Dropout.
/// </summary>
[Network(1, 28, 28)]
[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm, LeakyReLU(0.1), AvgPool(2)]
[Residual, Conv2D(8, 3, Padding = 1), BatchNorm, ReLU, Conv2D(8, 3, Padding = 1, Groups = 8), Add, ReLU]
[Residual, Conv2D(16, 3, Stride = 2, Padding = 1, Groups = 2, Bias = false), BatchNorm, Sigmoid, Conv2D(16, 3, Padding = 1), Add(Projection = true), Tanh]
[GlobalAvgPool, Dense(32), BatchNorm, ReLU, Dropout(0.2), Dense(10), Softmax]
public partial class PyTorchKinds { }

/// <summary>LeNet-5 with 8 filters in its first convolution: PyTorch's LeNet-5 (6 filters) must not load into it.</summary>
[Network(1, 28, 28)]
[Conv2D(8, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class WiderLeNet5 { }

/// <summary>LeNet-5 with average pooling where PyTorch's has max pooling.</summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, AvgPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class AvgLeNet5 { }

/// <summary>LeNet-5 without its middle dense layer: the model has one more Gemm than this declaration.</summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(10), Softmax]
public partial class ShortLeNet5 { }

/// <summary>The first layers of LeNet-5 only: the model is larger than this declaration.</summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2), Flatten, Dense(10), Softmax]
public partial class TinyNet { }

/// <summary>ResidualNet with its first block joined through a 1x1 projection (6->6, stride 1) where ResidualNet joins directly.</summary>
[Network(2, 9, 9)]
[Conv2D(6, 3, Padding = 1), ReLU]
[Residual, Conv2D(6, 3, Padding = 1), BatchNorm, ReLU, Conv2D(6, 3, Padding = 1), Add(Projection = true), ReLU]
[Residual, Conv2D(10, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU, Add(Projection = true), Tanh]
[GlobalAvgPool, Dense(5), Softmax]
public partial class ResidualNetProjected { }

using CnnGen;

namespace CnnGen.Onnx.Tests;

// Small networks that together hold every layer kind and setting the exporter and importer translate
// (Sample.Mnist's LeNet5, BnNet, VggNet and ResNet are tested too).

/// <summary>Convolutions with and without bias, grouped and depthwise, strided; every activation; both pools (one overlapping); BatchNorm after conv and dense; Dropout.</summary>
[Network(3, 12, 12)]
[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm, LeakyReLU(0.1), AvgPool(2)]
[Conv2D(8, 3, Padding = 1, Groups = 4), Tanh]
[Conv2D(8, 3, Stride = 2, Padding = 1, Groups = 8), Sigmoid, MaxPool(2, 1)]
[Flatten, Dense(24), BatchNorm, Dropout(0.3), ReLU, Dense(7, Bias = false), Softmax]
public partial class EveryKindNet { }

/// <summary>Residual blocks with an identity join and with a strided 1x1 projection, global average pooling.</summary>
[Network(2, 9, 9)]
[Conv2D(6, 3, Padding = 1), ReLU]
[Residual, Conv2D(6, 3, Padding = 1), BatchNorm, ReLU, Conv2D(6, 3, Padding = 1), Add, ReLU]
[Residual, Conv2D(10, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU, Add(Projection = true), Tanh]
[GlobalAvgPool, Dense(5), Softmax]
public partial class ResidualNet { }

/// <summary>A flat input: dense layers, BatchNorm per feature, Sigmoid.</summary>
[Network(20)]
[Dense(16), BatchNorm, Sigmoid, Dense(12), LeakyReLU, Dropout(0.5), Dense(4), Softmax]
public partial class FlatNet { }

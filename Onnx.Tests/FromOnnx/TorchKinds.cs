// The CnnGen declaration of kinds.onnx (pytorch 1.13.0), written by CnnGen.Onnx.OnnxDeclaration;
// load its weights with CnnGen.Onnx.OnnxImporter.Load("kinds.onnx", new TorchKinds()).
using CnnGen;

namespace CnnGen.Onnx.Tests.FromOnnx;

[Network(1, 28, 28)]
[Conv2D(8, 3, Padding = 1, Bias = false), BatchNorm, LeakyReLU(0.1), AvgPool(2)]
[Residual, Conv2D(8, 3, Padding = 1), BatchNorm, ReLU, Conv2D(8, 3, Padding = 1, Groups = 8), Add]
[ReLU]
[Residual, Conv2D(16, 3, Stride = 2, Padding = 1, Groups = 2, Bias = false), BatchNorm, Sigmoid, Conv2D(16, 3, Padding = 1), Add(Projection = true)]
[Tanh, GlobalAvgPool, Dense(32), BatchNorm, ReLU, Dense(10), Softmax]
public partial class TorchKinds { }

// The CnnGen declaration of lenet5.onnx (pytorch 1.13.0), written by CnnGen.Onnx.OnnxDeclaration;
// load its weights with CnnGen.Onnx.OnnxImporter.Load("lenet5.onnx", new TorchLeNet5()).
using CnnGen;

namespace CnnGen.Onnx.Tests.FromOnnx;

[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2), Conv2D(16, 5), ReLU, MaxPool(2), Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class TorchLeNet5 { }

using CnnGen;

namespace CnnGen.Onnx.Tests.FromOnnx;

/// <summary>PyTorch's LeNet-5, generated at compile time from the ONNX file: layers, shapes and weights.</summary>
[OnnxNetwork("pytorch/lenet5.onnx")]
public partial class GeneratedTorchLeNet5 { }

/// <summary>PyTorch's net of the newer kinds (BatchNorm, residual blocks, grouped convolutions, global pooling), generated from its ONNX file.</summary>
[OnnxNetwork("Fixtures/pytorch/kinds.onnx")]
public partial class GeneratedTorchKinds { }

namespace CnnGen.Sample.Aot;

/// <summary>
/// PyTorch's LeNet-5 (Onnx/scripts/export_pytorch.py, one epoch of Adam: 97.87% on the MNIST test set), made by the
/// source generator from its ONNX file at compile time: the layers from the graph, the weights compiled into the binary.
/// The file is an additional file of this project (Sample.Aot.csproj).
/// </summary>
[OnnxNetwork("pytorch/lenet5.onnx")]
public partial class TorchLeNet5 { }

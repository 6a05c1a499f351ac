namespace CnnGen.Sample.Aot;

/// <summary>
/// LeNet-5 exactly as in Sample.Mnist (same layers, so the same fingerprint): a model file saved by
/// <c>Sample.Mnist train</c> loads here. CnnGen generates the rest of the class.
/// </summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class LeNet5 { }

namespace CnnGen.Sample.Web;

/// <summary>
/// LeNet-5 as Sample.Mnist declares it (same layers, so the same fingerprint: Sample.Mnist's model files load here).
/// CnnGen generates the forward, backward and single-sample Predict code into this class at build time; the page runs it.
/// </summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class LeNet5 { }

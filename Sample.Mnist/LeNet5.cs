namespace CnnGen.Sample.Mnist;

/// <summary>
/// LeNet-5 (LeCun et al., 1998) with ReLU and max pooling: two convolution blocks and three dense layers,
/// 61,706 parameters. CnnGen generates the rest of this class (forward, backward, buffers) and makes it an
/// <see cref="CnnGen.INetwork"/>.
/// </summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class LeNet5 { }

namespace CnnGen.Benchmarks;

/// <summary>
/// LeNet-5 exactly as in Sample.Mnist (declared again here so the benchmarks do not reference the sample):
/// 61,706 parameters, 416,520 multiply-adds per sample forward (see <see cref="LeNetCost"/>).
/// </summary>
[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class LeNet5 { }

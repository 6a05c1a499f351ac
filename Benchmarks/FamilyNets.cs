using System;
using System.Collections.Generic;

namespace CnnGen.Benchmarks;

// The family of `family`: LeNet-5 (LeNet5.cs) and three nets that users declare after it, the same as issue 12's
// table and Sample.Mnist's --net vgg and --net resnet (declared again here: the benchmarks do not reference the sample).

/// <summary>Two 3x3 convolutions (32, 64 channels) with pooling and a dense layer of 128.</summary>
[Network(1, 28, 28)]
[Conv2D(32, 3, Padding = 1), ReLU, MaxPool(2)]
[Conv2D(64, 3, Padding = 1), ReLU, MaxPool(2)]
[Flatten, Dense(128), ReLU, Dense(10), Softmax]
public partial class TwoConvNet { }

/// <summary>VGG-style: four 3x3 convolutions (32, 32, 64, 64), each with BatchNorm and ReLU, two pools, dense 256, dropout.</summary>
[Network(1, 28, 28)]
[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm, ReLU, Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm, ReLU, MaxPool(2)]
[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm, ReLU, Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm, ReLU, MaxPool(2)]
[Flatten, Dense(256, Bias = false), BatchNorm, ReLU, Dropout(0.4), Dense(10), Softmax]
public partial class VggNet { }

/// <summary>A small ResNet: a stem and three residual blocks (16, 32, 64 channels), global average pooling.</summary>
[Network(1, 28, 28)]
[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm, ReLU]
[Residual, Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm, ReLU, Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm, Add, ReLU]
[Residual, Conv2D(32, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU, Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm, Add(Projection = true), ReLU]
[Residual, Conv2D(64, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU, Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm, Add(Projection = true), ReLU]
[GlobalAvgPool, Dense(10), Softmax]
public partial class ResNet { }

/// <summary>One net of the family: how to make it, its single-sample Predict, and its cost from its shapes.</summary>
public sealed record FamilyNet(string Key, string Title, Func<INetwork> Create, Action<INetwork, float[], float[]> Predict, NetCost Cost)
{
    public static readonly IReadOnlyList<FamilyNet> All =
    [
        new("lenet5", "LeNet-5", () => new LeNet5(), (n, x, p) => ((LeNet5)n).Predict(x, p),
            new NetCost(1, 28, 28).Conv(6, 5, pad: 2).Pool(2).Conv(16, 5).Pool(2).Flatten().Dense(120).Dense(84).Dense(10)),
        new("twoconv", "two 3x3 convs (32, 64), pools, dense 128", () => new TwoConvNet(), (n, x, p) => ((TwoConvNet)n).Predict(x, p),
            new NetCost(1, 28, 28).Conv(32, 3, pad: 1).Pool(2).Conv(64, 3, pad: 1).Pool(2).Flatten().Dense(128).Dense(10)),
        new("vgg", "VGG-style: 4 3x3 convs (32,32,64,64) + BatchNorm, dense 256", () => new VggNet(), (n, x, p) => ((VggNet)n).Predict(x, p),
            new NetCost(1, 28, 28).Conv(32, 3, pad: 1, bias: false).BatchNorm().Conv(32, 3, pad: 1, bias: false).BatchNorm().Pool(2)
                .Conv(64, 3, pad: 1, bias: false).BatchNorm().Conv(64, 3, pad: 1, bias: false).BatchNorm().Pool(2)
                .Flatten().Dense(256, bias: false).BatchNorm().Dense(10)),
        new("resnet", "ResNet: stem + 3 residual blocks (16, 32, 64), global pool", () => new ResNet(), (n, x, p) => ((ResNet)n).Predict(x, p),
            new NetCost(1, 28, 28).Conv(16, 3, pad: 1, bias: false).BatchNorm()
                .Residual().Conv(16, 3, pad: 1, bias: false).BatchNorm().Conv(16, 3, pad: 1, bias: false).BatchNorm().Add()
                .Residual().Conv(32, 3, stride: 2, pad: 1, bias: false).BatchNorm().Conv(32, 3, pad: 1, bias: false).BatchNorm().Add(projection: true)
                .Residual().Conv(64, 3, stride: 2, pad: 1, bias: false).BatchNorm().Conv(64, 3, pad: 1, bias: false).BatchNorm().Add(projection: true)
                .GlobalAvgPool().Dense(10)),
    ];
}

/// <summary>
/// Multiply-adds and parameters of a net, walked from its input shape by the direct-convolution convention (every
/// kernel tap of every output, including zero padding; a 1x1 projection counts; pooling, normalization and
/// activations count nothing). The parameter count is checked against the generated net before any figure is printed.
/// </summary>
public sealed class NetCost(int channels, int height, int width)
{
    private int _c = channels, _h = height, _w = width;
    private readonly Stack<(int C, int H, int W)> _saved = new();

    /// <summary>Forward multiply-adds per sample.</summary>
    public long ForwardMacs { get; private set; }
    public long Parameters { get; private set; }
    /// <summary>Training FLOP per sample: forward, input gradient and weight gradient each the forward multiply-adds, 2 FLOP each.</summary>
    public double TrainFlop => 2.0 * 3 * ForwardMacs;
    public double InferFlop => 2.0 * ForwardMacs;

    public NetCost Conv(int filters, int kernel, int stride = 1, int pad = 0, bool bias = true)
    {
        int oh = (_h + 2 * pad - kernel) / stride + 1, ow = (_w + 2 * pad - kernel) / stride + 1;
        ForwardMacs += (long)filters * oh * ow * _c * kernel * kernel;
        Parameters += (long)filters * _c * kernel * kernel + (bias ? filters : 0);
        (_c, _h, _w) = (filters, oh, ow);
        return this;
    }

    public NetCost BatchNorm() { Parameters += 2L * _c; return this; }
    public NetCost Pool(int size) { _h /= size; _w /= size; return this; }
    public NetCost Flatten() { _c *= _h * _w; _h = _w = 1; return this; }
    public NetCost GlobalAvgPool() { _h = _w = 1; return this; }

    public NetCost Dense(int units, bool bias = true)
    {
        ForwardMacs += (long)_c * units;
        Parameters += (long)_c * units + (bias ? units : 0);
        _c = units;
        return this;
    }

    public NetCost Residual() { _saved.Push((_c, _h, _w)); return this; }

    public NetCost Add(bool projection = false)
    {
        var (c, _, _) = _saved.Pop();
        if (projection)
        {
            ForwardMacs += (long)_c * _h * _w * c;
            Parameters += (long)_c * c + _c;
        }
        return this;
    }
}

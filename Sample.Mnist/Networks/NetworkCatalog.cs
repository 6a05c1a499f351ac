using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Sample.Mnist.Cli;

namespace CnnGen.Sample.Mnist.Networks;

/// <summary>A network the sample can train: its <c>--net</c> name, its class, a line for --help, and how to make it.</summary>
public sealed record NetworkChoice(string Name, string ClassName, string Description, Func<INetwork> Create)
{
    /// <summary>The model file <c>train</c> writes for this network (<c>lenet5.model</c>, <c>bnnet.model</c>, ...).</summary>
    public string ModelFileName => Name + ".model";

    /// <summary>The checkpoint <c>train</c> writes after every epoch, for <c>--resume</c>.</summary>
    public string CheckpointFileName => Name + ".checkpoint";

    /// <summary>The best model by validation loss while <c>train --validation</c> runs (removed once it is the saved model).</summary>
    public string BestModelFileName => Name + ".best.model";
}

/// <summary>The networks of the sample, all declared with CnnGen attributes for 1 x 28 x 28 images and 10 classes.</summary>
public static class NetworkCatalog
{
    /// <summary>The default: LeNet-5.</summary>
    public const string DefaultName = "lenet5";

    public static IReadOnlyList<NetworkChoice> All { get; } =
    [
        new(DefaultName, nameof(LeNet5), "LeNet-5: 2 convolutions (6, 16 channels) and 3 dense layers, 61,706 parameters, 0.4 M multiply-adds per image",
            () => Generated(new LeNet5())),
        new("bnnet", nameof(BnNet), "3 convolutions with BatchNorm (16, 32, 64 channels) and a dense 128 with BatchNorm, 426,618 parameters, 2.5 M multiply-adds (--preset record on Fashion-MNIST)",
            () => Generated(new BnNet())),
        new("bnnet4", nameof(BnNet4), "bnnet with a second 64-channel convolution: 4 convolutions with BatchNorm, 463,610 parameters, 4.3 M multiply-adds (--preset record on MNIST)",
            () => Generated(new BnNet4())),
        new("vgg", nameof(VggNet), "VGG-style: 4 3x3 convolutions with BatchNorm (32, 32, 64, 64) and a dense 256, 19 M multiply-adds (slow: ~45x LeNet-5)",
            () => Generated(new VggNet())),
        new("resnet", nameof(ResNet), "ResNet: a 3x3 stem and three residual stages (16, 32, 64 channels; stride-2 projections), global average pooling, 9.2 M multiply-adds",
            () => Generated(new ResNet())),
    ];

    /// <summary>The names, for messages and --help.</summary>
    public static string[] Names => [.. All.Select(n => n.Name)];

    /// <summary>The network called <paramref name="name"/> (as given to --net); a clear error for any other name.</summary>
    public static NetworkChoice Get(string name) =>
        All.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UserException($"--net {name}: no such network; use one of {string.Join(", ", Names)}.");

    /// <summary>The network whose generated class is <paramref name="className"/> (a model file's header names it), or null.</summary>
    public static NetworkChoice? ForClass(string className) =>
        All.FirstOrDefault(n => n.ClassName == className);

    private static INetwork Generated(object network) =>
        network as INetwork ?? throw new UserException(
            $"{network.GetType().Name} has no generated code: the CnnGen generator did not run. Build with the Generator project referenced as an analyzer.");
}

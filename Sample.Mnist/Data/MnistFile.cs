using System.Collections.Generic;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>One of the four canonical MNIST files, uncompressed, with the size and SHA-256 it must have.</summary>
/// <param name="Name">File name as LeCun published it (no <c>.gz</c>).</param>
/// <param name="Length">Exact length in bytes of the uncompressed file.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the uncompressed file.</param>
public sealed record MnistFile(string Name, long Length, string Sha256)
{
    public static readonly MnistFile TrainImages =
        new("train-images-idx3-ubyte", 47_040_016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    public static readonly MnistFile TrainLabels =
        new("train-labels-idx1-ubyte", 60_008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    public static readonly MnistFile TestImages =
        new("t10k-images-idx3-ubyte", 7_840_016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    public static readonly MnistFile TestLabels =
        new("t10k-labels-idx1-ubyte", 10_008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    /// <summary>All four, in the order they are fetched and listed in messages.</summary>
    public static IReadOnlyList<MnistFile> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];
}

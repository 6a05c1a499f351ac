using System.Collections.Generic;
using System.Linq;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>One file of a known IDX data set, uncompressed: its usual name, exact length and SHA-256.</summary>
/// <param name="Name">The file name as published (no <c>.gz</c>).</param>
/// <param name="Length">Length in bytes of the uncompressed file.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the uncompressed file.</param>
public sealed record KnownFile(string Name, long Length, string Sha256);

/// <summary>The four roles of the files of an IDX data set, in the order they are listed.</summary>
public enum IdxRole
{
    TrainImages,
    TrainLabels,
    TestImages,
    TestLabels,
}

/// <summary>
/// An IDX data set we recognize by the SHA-256 of its uncompressed files (so plain and gzipped copies both match),
/// with its class names and the normalization constants it is usually trained with.
/// </summary>
public sealed record KnownDataset(string Name, IReadOnlyList<KnownFile> Files, IReadOnlyList<string> ClassNames, float Mean, float Std)
{
    /// <summary>The file of <paramref name="role"/>.</summary>
    public KnownFile File(IdxRole role) => Files[(int)role];

    /// <summary>True for the MNIST digits (the reports then say "digits").</summary>
    public bool IsDigits => ReferenceEquals(this, Mnist);

    /// <summary>LeCun's MNIST: the hashes in <see cref="MnistFile"/>, digits 0-9, mean 0.1307 and std 0.3081.</summary>
    public static KnownDataset Mnist { get; } = new(
        "MNIST",
        [.. MnistFile.All.Select(f => new KnownFile(f.Name, f.Length, f.Sha256))],
        [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        0.1307f, 0.3081f);

    /// <summary>Zalando's Fashion-MNIST (same file names and sizes as MNIST), mean 0.2860 and std 0.3530.</summary>
    public static KnownDataset FashionMnist { get; } = new(
        "Fashion-MNIST",
        [
            new("train-images-idx3-ubyte", 47_040_016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new("train-labels-idx1-ubyte", 60_008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new("t10k-images-idx3-ubyte", 7_840_016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new("t10k-labels-idx1-ubyte", 10_008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ],
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        0.2860f, 0.3530f);

    /// <summary>Every known set, in the order they are tried.</summary>
    public static IReadOnlyList<KnownDataset> All { get; } = [Mnist, FashionMnist];
}

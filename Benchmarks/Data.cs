using System.IO;
using CnnGen.Data;

namespace CnnGen.Benchmarks;

/// <summary>The benchmark data sets: real MNIST from IDX files here; the synthetic set is in SyntheticData.cs.</summary>
public static partial class BenchData
{
    /// <summary>The MNIST training set from <paramref name="directory"/> (raw or .gz IDX files).</summary>
    public static ImageDataset Mnist(string directory)
    {
        string Find(string name)
        {
            foreach (string candidate in new[] { name, name + ".gz", name.Replace("-idx", ".idx") , name.Replace("-idx", ".idx") + ".gz" })
            {
                string path = Path.Combine(directory, candidate);
                if (File.Exists(path)) return path;
            }
            throw new UsageException($"--data {directory}: no {name} or {name}.gz there.");
        }
        return ImageDataset.FromIdx(Find("train-images-idx3-ubyte"), Find("train-labels-idx1-ubyte"), Classes);
    }

    /// <summary>Writes count x 784 pixel bytes, then count label bytes (the format torch_lenet.py reads).</summary>
    public static void WriteRaw(ImageDataset data, string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        for (int i = 0; i < data.Count; i++) file.Write(data.Pixels(i));
        file.Write(data.Labels);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>
/// What a model file says about the data it was trained on: the pixel normalization, the class names and a
/// description, stored as model metadata so that <c>eval</c> and <c>predict</c> normalize the same way and print names.
/// </summary>
/// <param name="Mean">Normalization mean: inputs are <c>(x/255 - Mean) / Std</c>.</param>
/// <param name="Std">Normalization standard deviation.</param>
/// <param name="ClassNames">Label k is <c>ClassNames[k]</c>.</param>
/// <param name="Description">What the training run's data line said, e.g. "MNIST (verified: ...) from ...: IDX, ...".</param>
/// <param name="IsDigits">True when trained on the MNIST digits.</param>
/// <param name="Stored">False when the file held none of this (a version-1 file): MNIST's values are assumed.</param>
public sealed record ModelDataInfo(float Mean, float Std, IReadOnlyList<string> ClassNames, string Description, bool IsDigits, bool Stored)
{
    public const string MeanKey = "normalization.mean", StdKey = "normalization.std", ClassesKey = "classes",
                        DataKey = "data", DigitsKey = "data.digits";

    public PixelNormalization Normalization => PixelNormalization.Standardize(Mean, Std);

    /// <summary>"digits" or "images".</summary>
    public string Noun => IsDigits ? "digits" : "images";

    /// <summary>The name of class <paramref name="k"/>; outputs beyond the named classes are "output k".</summary>
    public string NameOf(int k) => k < ClassNames.Count ? ClassNames[k] : $"output {k.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>From the data a model is trained on.</summary>
    public static ModelDataInfo From(LoadedData data) =>
        new(data.Mean, data.Std, data.ClassNames, data.Description, data.IsDigits, Stored: true);

    /// <summary>The metadata written into the model file and checkpoints.</summary>
    public ModelMetadata ToMetadata() => new(
    [
        new(MeanKey, Mean.ToString("R", CultureInfo.InvariantCulture)),
        new(StdKey, Std.ToString("R", CultureInfo.InvariantCulture)),
        new(ClassesKey, JsonSerializer.Serialize(ClassNames.ToArray())),
        new(DataKey, Description),
        new(DigitsKey, IsDigits ? "true" : "false"),
    ]);

    /// <summary>MNIST's normalization and the digits 0-9, for model files that store nothing (version 1).</summary>
    public static ModelDataInfo MnistDefault { get; } = new(
        KnownDataset.Mnist.Mean, KnownDataset.Mnist.Std, KnownDataset.Mnist.ClassNames,
        "MNIST (assumed: the model file stores no data description)", IsDigits: true, Stored: false);

    /// <summary>
    /// Reads what <see cref="ToMetadata"/> wrote; a file without it (version 1) gets <see cref="MnistDefault"/>.
    /// Metadata that is present but unusable is an error naming the file.
    /// </summary>
    public static ModelDataInfo FromModel(string path, ModelFileInfo info)
    {
        var m = info.Metadata;
        if (m.Get(MeanKey) is null && m.Get(StdKey) is null && m.Get(ClassesKey) is null)
            return MnistDefault;
        string Required(string key) => m.Get(key) ?? throw new ModelFileException(path, $"has metadata without '{key}'.");
        float Number(string key) =>
            float.TryParse(Required(key), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
                ? v : throw new ModelFileException(path, $"has metadata '{key}' = '{m.Get(key)}', not a finite number.");
        float mean = Number(MeanKey), std = Number(StdKey);
        if (!(std > 0)) throw new ModelFileException(path, $"has metadata '{StdKey}' = {std}; a standard deviation must be positive.");
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize<string[]>(Required(ClassesKey));
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"has metadata '{ClassesKey}' that is not a JSON list of names: {e.Message}", e);
        }
        if (names is null || names.Length == 0 || names.Any(n => n is null))
            throw new ModelFileException(path, $"has metadata '{ClassesKey}' without class names.");
        return new ModelDataInfo(mean, std, names, m.Get(DataKey) ?? "(not described)", m.Get(DigitsKey) == "true", Stored: true);
    }
}

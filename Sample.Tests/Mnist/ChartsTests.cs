using System;
using System.IO;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Sample.Mnist.Reporting;
using SkiaSharp;
using Xunit;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>The charts draw any image size and channel count, with class names.</summary>
public sealed class ChartsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cnngen-charts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(3, 20, 12)]
    [InlineData(1, 9, 40)]
    public void Misclassified_draws_images_of_any_size_in_grey_or_colour(int channels, int height, int width)
    {
        // two images, both wrong: the first pure red (colour) or white (grey), the second black
        int size = channels * height * width;
        var pixels = new byte[2 * size];
        pixels.AsSpan(0, channels == 3 ? height * width : size).Fill(255);
        var data = new ImageDataset(pixels, [0, 1], channels, height, width, classCount: 2);
        var result = new PredictionSet(2, [0, 1], [1, 0], [0.1f, 0.9f, 0.8f, 0.2f], lossSum: 3);
        var names = new ModelDataInfo(0.5f, 0.5f, ["Pullover", "Ankle boot"], "test", IsDigits: false, Stored: true);
        string path = Path.Combine(_dir, "wrong.png");

        Assert.Equal(2, Charts.Misclassified(data, result, path, names));

        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        // the first cell holds the image at a whole scale factor, centred under the header
        int scale = Math.Max(1, 84 / Math.Max(width, height));
        bool found = false;
        for (int y = 44; y < 44 + height * scale && !found; y++)
            for (int x = 0; x < bitmap.Width && !found; x++)
            {
                var c = bitmap.GetPixel(x, y);
                found = channels == 3 ? c.Red == 255 && c.Green == 0 && c.Blue == 0 : c.Red == 255 && c.Green == 255 && c.Blue == 255 && x > 14;
            }
        Assert.True(found, "the first image's colour is in the grid");

        string confusion = Path.Combine(_dir, "confusion.png");
        Charts.ConfusionMatrix(result.Confusion, confusion, names);
        using var matrix = SKBitmap.Decode(confusion);
        Assert.Equal((860, 820), (matrix.Width, matrix.Height)); // long names get the larger layout
    }
}

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Training;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// --data at the command line: the user's data is trained on (never MNIST in its place), named in a Data: line,
/// refused with one error line when broken (and then nothing is written), and eval/predict use the model's
/// normalization and class names.
/// </summary>
[Collection(MnistTrainingCollection.Name)]
public sealed class DataCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnngen-data-cli-").FullName;
    private readonly ITestOutputHelper _output;

    public DataCliTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string EmptyCache => Path.Combine(_root, "empty-cache");

    /// <summary>Runs the app; with <paramref name="emptyCache"/> its MNIST cache is an empty directory and it has no sources.</summary>
    private CliTests.Run Invoke(bool emptyCache, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var mnist = emptyCache ? new MnistLocatorOptions { CacheDirectory = EmptyCache, Sources = [] } : null;
        int code = App.Run(args, AppConsole.Plain(stdout, stderr), mnist: mnist);
        var run = new CliTests.Run(code, stdout.ToString(), stderr.ToString());
        _output.WriteLine($"$ {string.Join(' ', args)}\nexit {run.ExitCode}\n{run.Out}{run.Error}");
        return run;
    }

    private static double TestAccuracy(CliTests.Run run) =>
        double.Parse(Regex.Match(run.Out, @"Test accuracy: ([0-9.]+)%").Groups[1].Value, CultureInfo.InvariantCulture) / 100;

    /// <summary>A short training run on <paramref name="data"/>: 2 epochs unless <paramref name="more"/> says otherwise.</summary>
    private static string[] Tiny(string data, string output, params string[] more) =>
        ["train", "--data", data, .. more.Contains("--epochs") ? Array.Empty<string>() : ["--epochs", "2"], "--threads", "2", "--no-plots",
         "--output", output, .. more];

    private void AssertOneError(CliTests.Run run, params string[] expected)
    {
        Assert.Equal(App.Failed, run.ExitCode);
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        foreach (var text in expected) Assert.Contains(text, line);
        Assert.DoesNotContain("   at ", run.Error + run.Out);
        Assert.DoesNotContain("unexpected", run.Error);
    }

    /// <summary>
    /// A 3-class IDX set of bands (chance 33 %) trains to at least 90 %: once with MNIST in the cache and once with an
    /// empty cache and no way to fetch it. The run names the set; nothing mentions MNIST; the cache is never written.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Train_with_a_foreign_IDX_set_trains_on_that_set_with_or_without_MNIST_in_the_cache(bool emptyCache)
    {
        if (!emptyCache) _ = RealMnist.Location; // the real cache holds MNIST
        string data = IdxSets.WriteBands(_root, "bands", train: 600, test: 150, gz: emptyCache);
        string output = Path.Combine(_root, "out");

        var run = Invoke(emptyCache, Tiny(data, output));

        Assert.Equal(App.Ok, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains($"Data: IDX set (unverified: no known checksum) from {data}: IDX, 600 train + 150 test images of 1x28x28, 3 classes\n", run.Out);
        Assert.DoesNotContain("MNIST", run.Out);
        Assert.Contains("Training LeNet5 (61,706 parameters) on 600 images, testing on 150", run.Out);
        Assert.Contains(" images/s ", run.Out);
        Assert.Contains("of 150 correct", run.Out);
        double accuracy = TestAccuracy(run);
        Assert.InRange(accuracy, 0.90, 1.0);
        Assert.False(Directory.Exists(EmptyCache));

        // The model remembers the data: eval without --data would be MNIST, which a 3-class model refuses to mix up silently.
        var info = ModelFile.ReadInfo(Path.Combine(output, App.ModelFileName));
        var about = ModelDataInfo.FromModel("m", info);
        Assert.Equal(["0", "1", "2"], about.ClassNames);
        Assert.StartsWith("IDX set (unverified: no known checksum)", about.Description);
        var eval = Invoke(emptyCache, "eval", "--model", Path.Combine(output, App.ModelFileName), "--data", data);
        Assert.Equal(App.Ok, eval.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Test accuracy: {100 * accuracy:0.00}%"), eval.Out);
        Assert.Contains("test images", eval.Out);
    }

    /// <summary>
    /// The bug of issue 10: Fashion-MNIST-like .gz files that do not verify as MNIST. A set that fails verification is
    /// trained on as itself (with a warning), and a broken one is an error; neither ever leads to training on the cached MNIST.
    /// </summary>
    [Fact]
    public void No_fallback_from_data_a_set_that_fails_verification_or_is_broken_never_trains_on_MNIST()
    {
        var mnist = RealMnist.Location; // MNIST is in the cache, where the old code found it
        long cached = Directory.GetFiles(Path.GetDirectoryName(mnist.TrainImages)!).Sum(f => new FileInfo(f).Length);

        // MNIST's files with one changed test label: named MNIST, hashes differ for one file.
        string modified = Directory.CreateDirectory(Path.Combine(_root, "modified")).FullName;
        foreach (string file in new[] { mnist.TrainImages, mnist.TrainLabels, mnist.TestImages })
            File.WriteAllBytes(Path.Combine(modified, Path.GetFileName(file) + ".gz"), IdxSets.Gzip(File.ReadAllBytes(file)));
        byte[] labels = File.ReadAllBytes(mnist.TestLabels);
        labels[8] = (byte)((labels[8] + 1) % 10);
        File.WriteAllBytes(Path.Combine(modified, IdxSets.TestLabels + ".gz"), IdxSets.Gzip(labels));
        var run = Invoke(false, Tiny(modified, Path.Combine(_root, "o1"), "--epochs", "1", "--train-limit", "500", "--test-limit", "100"));
        Assert.Equal(App.Ok, run.ExitCode);
        Assert.Contains($"Data: IDX set resembling MNIST (NOT verified: 3 of 4 files match MNIST's SHA-256) from {modified}: IDX", run.Out);
        Assert.Contains($"warning: {Path.Combine(modified, IdxSets.TestLabels + ".gz")} has SHA-256 ", run.Out);
        Assert.Contains(KnownDataset.Mnist.File(IdxRole.TestLabels).Sha256, run.Out);
        Assert.DoesNotContain("MNIST: ", run.Out); // the locator was not asked
        Assert.Contains("on 500 images", run.Out); // not "digits": not verified as MNIST

        // The same set with a truncated .gz: an error, no training, no MNIST.
        byte[] gz = File.ReadAllBytes(Path.Combine(modified, IdxSets.TestLabels + ".gz"));
        File.WriteAllBytes(Path.Combine(modified, IdxSets.TestLabels + ".gz"), gz[..(gz.Length - 30)]);
        string output = Path.Combine(_root, "o2");
        run = Invoke(false, Tiny(modified, output));
        AssertOneError(run, IdxSets.TestLabels + ".gz");
        Assert.DoesNotContain("MNIST", run.Out);
        Assert.DoesNotContain("Training", run.Out);
        Assert.False(Directory.Exists(output));
        Assert.Equal(cached, Directory.GetFiles(Path.GetDirectoryName(mnist.TrainImages)!).Sum(f => new FileInfo(f).Length));
    }

    /// <summary>Every kind of broken data: one error line naming the file, exit 1, the output directory not created and an existing model untouched.</summary>
    [Fact]
    public void Broken_data_is_one_error_line_and_nothing_is_written()
    {
        string existing = Directory.CreateDirectory(Path.Combine(_root, "existing")).FullName;
        File.Copy(ModelFileVersionTests.Fixture(), Path.Combine(existing, App.ModelFileName));
        byte[] model = File.ReadAllBytes(Path.Combine(existing, App.ModelFileName));
        string classes = Path.Combine(_root, "two.txt");
        File.WriteAllText(classes, "a\nb\n");
        int cases = 0;

        void Case(string data, string[] more, params string[] expected)
        {
            cases++;
            string fresh = Path.Combine(_root, $"fresh-{cases}");
            AssertOneError(Invoke(true, Tiny(data, fresh, more)), expected);
            Assert.False(Directory.Exists(fresh), $"case {cases} created {fresh}");
            AssertOneError(Invoke(true, Tiny(data, existing, more)), expected);
            Assert.Equal(model, File.ReadAllBytes(Path.Combine(existing, App.ModelFileName)));
            Assert.Equal([App.ModelFileName], Directory.GetFiles(existing).Select(Path.GetFileName));
        }

        string truncated = IdxSets.WriteBands(_root, "truncated", 60, 20);
        File.WriteAllBytes(Path.Combine(truncated, IdxSets.TrainImages), File.ReadAllBytes(Path.Combine(truncated, IdxSets.TrainImages))[..^1]);
        Case(truncated, [], IdxSets.TrainImages, "truncated");

        string mislabeled = IdxSets.WriteBands(_root, "mislabeled", 60, 20);
        Case(mislabeled, ["--classes", classes], classes, "holds label 2");

        string outside = IdxSets.WriteBands(_root, "outside", 60, 20, classes: 11);
        Case(outside, [], "hold labels 0..10 (11 classes); network LeNet5 has 10 outputs");

        string mixed = IdxSets.WriteBands(_root, "mixed", 60, 20);
        IdxSets.Write(mixed, IdxSets.TestImages, [20, 28, 27], new byte[20 * 28 * 27]);
        Case(mixed, [], IdxSets.TestImages, "1x28x27", "one image size");

        string small = IdxSets.WriteBands(_root, "small", 60, 20, size: 20);
        Case(small, [], IdxSets.TrainImages, "1x20x20", "network LeNet5 takes 1x28x28");

        string counts = IdxSets.WriteBands(_root, "counts", 60, 20);
        IdxSets.Write(counts, IdxSets.TrainLabels, [59], new byte[59]);
        Case(counts, [], IdxSets.TrainLabels, "holds 59 labels", "60 images");

        File.WriteAllText(classes, "a\nb\nc\n\nd\n");
        Case(IdxSets.WriteBands(_root, "classes", 60, 20), ["--classes", classes], classes, "line 4 is empty");

        Case(Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName, [], "is empty");

        string neither = Directory.CreateDirectory(Path.Combine(_root, "neither")).FullName;
        File.WriteAllText(Path.Combine(neither, "readme.md"), "# data");
        Case(neither, [], "holds neither an IDX set");

        Case(IdxSets.WriteBands(_root, "resize", 60, 20), ["--resize", "28x28"], "--resize 28x28 applies to image folders");
        Case(IdxSets.WriteBands(_root, "validation", 60, 20), ["--validation", "60"], "--validation 60", "only 60 images");
        _output.WriteLine($"{cases} cases, each into a fresh and into an existing output directory");
        Assert.False(Directory.Exists(EmptyCache));
    }

    /// <summary>
    /// The real Fashion-MNIST (Debian's dataset-fashion-mnist, which CI installs): recognized, trained a little with a
    /// validation split that chooses the model, and evaluated and predicted with its class names.
    /// </summary>
    [Fact]
    public void Fashion_MNIST_trains_with_validation_and_eval_and_predict_use_its_names()
    {
        Assert.True(Directory.Exists(DataSourceTests.Fashion), $"{DataSourceTests.Fashion} is missing: apt-get install dataset-fashion-mnist");
        string output = Path.Combine(_root, "fashion");
        var run = Invoke(true, "train", "--data", DataSourceTests.Fashion, "--epochs", "2", "--train-limit", "3000", "--test-limit", "1000",
                         "--validation", "500", "--patience", "1", "--threads", "2", "--output", output);

        Assert.Equal(App.Ok, run.ExitCode);
        Assert.Contains("Data: Fashion-MNIST (verified: SHA-256 of all 4 files) from /usr/share/datasets/fashion-mnist: " +
                        "IDX, 59,500 train + 500 validation + 10,000 test images of 1x28x28, 10 classes\n", run.Out);
        Assert.Contains("on 3,000 images, validating on 500, testing on 1,000", run.Out);
        Assert.Contains("(x/255-0.286)/0.353 (Fashion-MNIST's constants)", run.Out);
        Assert.Contains("Epoch 1/2  train loss", run.Out);
        Assert.Contains("validation loss", run.Out);
        Assert.DoesNotContain("  test loss", run.Out); // per epoch only the validation set is evaluated
        Assert.Matches(@"Best epoch by validation loss: [12] \(validation loss [0-9.]+\)", run.Out);
        Assert.InRange(TestAccuracy(run), 0.60, 1.0);
        Assert.Contains("│ Ankle boot", run.Out);
        Assert.Contains("test images", run.Out);
        Assert.StartsWith("epoch,train_loss,train_accuracy,validation_loss,validation_accuracy,", File.ReadAllText(Path.Combine(output, "history.csv")));
        Assert.False(File.Exists(Path.Combine(output, TrainCommand.BestModelFileName)));
        foreach (var png in new[] { "training.png", "confusion.png", "misclassified.png" })
            Assert.True(new FileInfo(Path.Combine(output, png)).Length > 1000, png);

        string modelPath = Path.Combine(output, App.ModelFileName);
        var about = ModelDataInfo.FromModel(modelPath, ModelFile.ReadInfo(modelPath));
        Assert.Equal(KnownDataset.FashionMnist.ClassNames, about.ClassNames);
        Assert.Equal((0.2860f, 0.3530f), (about.Mean, about.Std));

        var predict = Invoke(true, "predict", "--model", modelPath, "--data", DataSourceTests.Fashion, "--index", "0", "1");
        Assert.Equal(App.Ok, predict.ExitCode);
        Assert.Contains("test #0 (label Ankle boot): ", predict.Out);
        Assert.Contains("test #1 (label Pullover): ", predict.Out);
        Assert.Contains("of 2 test images correct", predict.Out);

        var eval = Invoke(true, "eval", "--model", modelPath, "--data", DataSourceTests.Fashion, "--test-limit", "1000");
        Assert.Equal(App.Ok, eval.ExitCode);
        Assert.Contains($"Test accuracy: {100 * TestAccuracy(run):0.00}%".Replace(",", "."), eval.Out);
        Assert.Contains("Confusion matrix (rows: true class, columns: predicted)", eval.Out);
        Assert.Contains("Trained on: Fashion-MNIST (verified", eval.Out);
    }

    [Fact]
    public void Patience_without_validation_is_refused_so_the_test_set_never_chooses_the_model()
    {
        var run = Invoke(true, "train", "--patience", "2");
        Assert.Equal(App.UsageError, run.ExitCode);
        Assert.Contains("--patience needs --validation", run.Error);
        Assert.Contains("error", Invoke(true, "train", "--resize", "28by28").Error);
    }

    [Fact]
    public void Eval_of_data_with_another_shape_or_more_classes_than_the_model_is_a_clear_error()
    {
        string model = ModelFileVersionTests.Fixture();
        var v1 = Invoke(true, "eval", "--model", model, "--data", IdxSets.WriteBands(_root, "three", 30, 30));
        Assert.Equal(App.Ok, v1.ExitCode);
        Assert.Contains("Model file version 1 stores no normalization or class names: using MNIST's ((x/255-0.1307)/0.3081, digits 0-9).", v1.Out);

        AssertOneError(Invoke(true, "eval", "--model", model, "--data", IdxSets.WriteBands(_root, "small", 30, 30, size: 16)),
                       "t10k-images-idx3-ubyte", "1x16x16", "network LeNet5 takes 1x28x28");
        AssertOneError(Invoke(true, "eval", "--model", model, "--data", IdxSets.WriteBands(_root, "many", 30, 30, classes: 11)),
                       "t10k-labels-idx1-ubyte", "11 classes");
        AssertOneError(Invoke(true, "predict", "--model", model, "--data", IdxSets.WriteBands(_root, "small2", 30, 30, size: 16), "--index", "0"),
                       "1x16x16");

        // A 3-class model on a 10-class set: more classes than it was trained on.
        string output = Path.Combine(_root, "three-out");
        Assert.Equal(App.Ok, Invoke(true, Tiny(IdxSets.WriteBands(_root, "three-train", 90, 30), output, "--epochs", "1")).ExitCode);
        AssertOneError(Invoke(true, "eval", "--model", Path.Combine(output, App.ModelFileName), "--data", IdxSets.WriteBands(_root, "ten", 30, 30, classes: 10)),
                       "10 classes", "the model was trained on 3 classes");
    }

    /// <summary>Image folders go to ImageFolderDataset; --resize and --grayscale are explicit, and without them a mismatch is an error that names them.</summary>
    [Fact]
    public void Image_folders_train_with_explicit_resize_and_grayscale()
    {
        string data = Directory.CreateDirectory(Path.Combine(_root, "folders")).FullName;
        var random = new Random(5);
        foreach (var (name, colour) in new[] { ("red", SKColors.Red), ("green", SKColors.Lime), ("blue", SKColors.Blue) })
        {
            string dir = Directory.CreateDirectory(Path.Combine(data, name)).FullName;
            for (int i = 0; i < 40; i++)
            {
                using var bitmap = new SKBitmap(12, 12);
                for (int y = 0; y < 12; y++)
                    for (int x = 0; x < 12; x++)
                    {
                        int noise = random.Next(0, 40);
                        bitmap.SetPixel(x, y, y / 4 == Array.IndexOf(new[] { "red", "green", "blue" }, name)
                            ? colour : new SKColor((byte)noise, (byte)noise, (byte)noise));
                    }
                using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(dir, $"{i:000}.png"), png.ToArray());
            }
        }
        string output = Path.Combine(_root, "folders-out");
        AssertOneError(Invoke(true, Tiny(data, output)), "3x12x12", "--resize 28x28 and --grayscale");
        Assert.False(Directory.Exists(output));

        var run = Invoke(true, Tiny(data, output, "--resize", "28x28", "--grayscale", "--epochs", "3"));
        Assert.Equal(App.Ok, run.ExitCode);
        Assert.Matches($@"Data: image set \(unverified: no known checksum\) from {Regex.Escape(data)}: image folders, \d+ train \+ \d+ test images of 1x28x28, 3 classes\n", run.Out);
        Assert.Contains("│ blue", run.Out);
        Assert.InRange(TestAccuracy(run), 0.5, 1.0);
        var about = ModelDataInfo.FromModel("m", ModelFile.ReadInfo(Path.Combine(output, App.ModelFileName)));
        Assert.Equal(["blue", "green", "red"], about.ClassNames);
    }
}

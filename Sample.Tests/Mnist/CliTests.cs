using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnGen.Sample.Mnist.Cli;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// Every command of the sample, run in-process with captured output: train with tiny settings, then eval,
/// predict (test indices, a PGM and a PNG) and summary on its model; --help; and user mistakes, which must give
/// one "error:" line on stderr, a non-zero exit code and no stack trace.
/// </summary>
[Collection(MnistTrainingCollection.Name)]
public sealed class CliTests : IClassFixture<CliTests.TrainedModel>
{
    private readonly TrainedModel _model;
    private readonly ITestOutputHelper _output;

    public CliTests(TrainedModel model, ITestOutputHelper output)
    {
        _model = model;
        _output = output;
    }

    public sealed record Run(int ExitCode, string Out, string Error);

    public static Run Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = App.Run(args, AppConsole.Plain(stdout, stderr));
        return new Run(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>One tiny training run shared by the tests that need a model: 2,000 digits, 1 epoch.</summary>
    public sealed class TrainedModel : IDisposable
    {
        public TrainedModel()
        {
            _ = RealMnist.Location; // fetch (or find) MNIST first, through the sample's data path
            Directory = System.IO.Directory.CreateTempSubdirectory("cnngen-cli-test-").FullName;
            Output = Path.Combine(Directory, "out");
            Train = Invoke("train", "--epochs", "1", "--train-limit", "2000", "--test-limit", "500", "--output", Output,
                           "--seed", "3");
        }

        public string Directory { get; }
        public string Output { get; }
        public Run Train { get; }
        public string ModelPath => Path.Combine(Output, App.ModelFileName);

        public void Dispose()
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
        }
    }

    private void Show(Run run)
    {
        _output.WriteLine($"exit {run.ExitCode}");
        _output.WriteLine(run.Out);
        if (run.Error.Length > 0) _output.WriteLine("stderr: " + run.Error);
    }

    private static void AssertCleanError(Run run, int expectedCode, string expectedText)
    {
        Assert.Equal(expectedCode, run.ExitCode);
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expectedText, lines[0]);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.DoesNotContain("Exception", run.Error);
    }

    private static bool IsPng(string path) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

    [Fact]
    public void Train_with_tiny_settings_writes_the_model_history_and_charts()
    {
        var run = _model.Train;
        Show(run);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains("MNIST: ", run.Out);
        Assert.Contains("Epoch 1/1  train loss", run.Out);
        Assert.Contains("Test accuracy: ", run.Out);
        Assert.Contains("Per-class accuracy", run.Out);
        Assert.Contains("Confusion matrix", run.Out);
        Assert.True(File.Exists(_model.ModelPath));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_model.Output, "history.csv")).Length);
        foreach (var png in new[] { "training.png", "confusion.png", "misclassified.png" })
            Assert.True(IsPng(Path.Combine(_model.Output, png)), $"{png} is not a PNG");
        // No temporary files are left in the output directory.
        Assert.DoesNotContain(System.IO.Directory.GetFiles(_model.Output), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>
    /// train writes a checkpoint after every epoch; --resume continues from it, and 1 + 1 epochs give the same model file
    /// as 2 epochs in one run (same seed, threads and data; a constant schedule, since the others are laid out over --epochs).
    /// </summary>
    [Fact]
    public void Resume_continues_from_the_checkpoint_and_ends_where_an_uninterrupted_run_ends()
    {
        string root = System.IO.Directory.CreateTempSubdirectory("cnngen-resume-").FullName;
        try
        {
            string[] Common(string output, int epochs) =>
                ["train", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--train-limit", "1000",
                 "--test-limit", "200", "--threads", "2", "--seed", "5", "--schedule", "constant", "--no-plots", "--output", output];
            string whole = Path.Combine(root, "whole"), parts = Path.Combine(root, "parts");
            var full = Invoke(Common(whole, 2));
            Assert.Equal(0, full.ExitCode);
            var first = Invoke(Common(parts, 1));
            Assert.Equal(0, first.ExitCode);
            Assert.True(File.Exists(Path.Combine(parts, App.CheckpointFileName)));
            var rest = Invoke([.. Common(parts, 2), "--resume"]);
            Show(rest);
            Assert.Equal(0, rest.ExitCode);
            Assert.Contains("Resuming from", rest.Out);
            Assert.Contains("after epoch 1 of 2", rest.Out);
            Assert.DoesNotContain("Epoch 1/2", rest.Out);
            Assert.Contains("Epoch 2/2", rest.Out);
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, App.ModelFileName)), File.ReadAllBytes(Path.Combine(parts, App.ModelFileName)));
        }
        finally
        {
            try { System.IO.Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Resume_without_a_checkpoint_is_one_clear_error()
    {
        string empty = System.IO.Directory.CreateTempSubdirectory("cnngen-resume-none-").FullName;
        try
        {
            var run = Invoke("train", "--epochs", "1", "--train-limit", "100", "--test-limit", "50", "--no-plots", "--output", empty, "--resume");
            AssertCleanError(run, App.Failed, "no checkpoint");
        }
        finally
        {
            try { System.IO.Directory.Delete(empty, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Eval_reports_accuracy_of_the_saved_model()
    {
        var run = Invoke("eval", "--model", _model.ModelPath, "--test-limit", "500");
        Show(run);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Test accuracy: ", run.Out);
        Assert.Contains("of 500 correct", run.Out);
        Assert.Contains("Confusion matrix", run.Out);
    }

    [Fact]
    public void Predict_classifies_test_indices()
    {
        var run = Invoke("predict", "--model", _model.ModelPath, "--index", "0", "1", "2");
        Show(run);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("test #0 (label 7): ", run.Out);
        Assert.Contains("test #1 (label 2): ", run.Out);
        Assert.Contains("of 3 test digits correct", run.Out);
    }

    [Fact]
    public void Predict_reads_PGM_and_PNG_files_and_says_what_it_did_to_them()
    {
        // Test digit 0 (a 7) as a 28 x 28 binary PGM, and as a 56 x 56 PNG drawn dark on white.
        var pixels = RealMnist.Test.Pixels(0).ToArray();
        string pgm = Path.Combine(_model.Directory, "seven.pgm");
        File.WriteAllBytes(pgm, [.. "P5\n# test digit 0\n28 28\n255\n"u8.ToArray(), .. pixels]);
        string png = Path.Combine(_model.Directory, "seven.png");
        using (var bitmap = new SKBitmap(56, 56))
        {
            for (int y = 0; y < 56; y++)
                for (int x = 0; x < 56; x++)
                {
                    byte v = (byte)(255 - pixels[y / 2 * 28 + x / 2]);
                    bitmap.SetPixel(x, y, new SKColor(v, v, v));
                }
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(png, data.ToArray());
        }

        var run = Invoke("predict", "--model", _model.ModelPath, pgm, png);
        Show(run);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"{pgm}: 7 (", run.Out);
        Assert.Contains($"{png}: 7 (", run.Out);
        Assert.Contains("inverted", run.Out);
        Assert.Contains("scaled from 56 x 56 to 28 x 28", run.Out);
    }

    [Fact]
    public void Summary_prints_the_generated_layers()
    {
        var run = Invoke("summary");
        Show(run);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Conv2D", run.Out);
        Assert.Contains("Dense", run.Out);
        Assert.Contains("61706", run.Out.Replace(",", ""));
    }

    [Fact]
    public void Help_explains_every_command_and_option()
    {
        var run = Invoke("--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var text in new[] { "train", "eval", "predict", "summary", "--epochs", "--batch-size", "--optimizer", "--lr",
                                     "--schedule", "--seed", "--threads", "--output", "--data", "onecycle", "adamw", "nesterov" })
            Assert.Contains(text, run.Out);
        foreach (var command in new[] { "train", "eval", "predict", "summary", "export", "import", "declare" })
        {
            var sub = Invoke(command, "--help");
            Assert.Equal(0, sub.ExitCode);
            Assert.Contains("Usage:", sub.Out);
        }
        Assert.Contains("--index", Invoke("predict", "--help").Out);
        Assert.Contains("--model", Invoke("eval", "--help").Out);
        Assert.Contains("--onnx", Invoke("export", "--help").Out);
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "many")]
    [InlineData("--optimizer", "rmsprop")]
    [InlineData("--schedule", "linear")]
    [InlineData("--lr", "-1")]
    [InlineData("--threads", "0")]
    [InlineData("train", "--batch-size", "0")]
    [InlineData("predict", "--model", "x.model")]
    [InlineData("nonsense-command")]
    [InlineData("predict", "--index", "abc")]
    public void Bad_options_give_one_error_line_and_exit_code_2(params string[] args)
    {
        var run = Invoke(args);
        _output.WriteLine(run.Error);
        AssertCleanError(run, App.UsageError, "--help");
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void A_missing_model_file_is_one_clear_error()
    {
        var run = Invoke("eval", "--model", Path.Combine(_model.Directory, "none.model"));
        AssertCleanError(run, App.Failed, "No model at");
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_one_clear_error()
    {
        string bogus = Path.Combine(_model.Directory, "bogus.model");
        File.WriteAllText(bogus, "not a model");
        var run = Invoke("eval", "--model", bogus);
        AssertCleanError(run, App.Failed, "bogus.model");
    }

    [Fact]
    public void A_missing_or_unreadable_image_is_one_clear_error()
    {
        AssertCleanError(Invoke("predict", "--model", _model.ModelPath, Path.Combine(_model.Directory, "nope.png")),
                         App.Failed, "no such file");
        string text = Path.Combine(_model.Directory, "digit.png");
        File.WriteAllText(text, "hello");
        AssertCleanError(Invoke("predict", "--model", _model.ModelPath, text), App.Failed, "not an image");
        string badPgm = Path.Combine(_model.Directory, "bad.pgm");
        File.WriteAllText(badPgm, "P5\n28 28\n255\n" + new string('x', 10));
        AssertCleanError(Invoke("predict", "--model", _model.ModelPath, badPgm), App.Failed, "truncated");
    }

    [Fact]
    public void An_index_outside_the_test_set_is_one_clear_error()
    {
        AssertCleanError(Invoke("predict", "--model", _model.ModelPath, "--index", "10000"), App.Failed, "outside the test set");
    }

    [Fact]
    public void A_bad_data_directory_or_output_is_one_clear_error()
    {
        AssertCleanError(Invoke("train", "--data", Path.Combine(_model.Directory, "no-such-dir"), "--output", _model.Output),
                         App.Failed, "--data");
        string file = Path.Combine(_model.Directory, "a-file");
        File.WriteAllText(file, "");
        AssertCleanError(Invoke("train", "--output", file), App.Failed, "--output");
    }

    [Fact]
    public void The_real_executable_exits_non_zero_without_a_stack_trace()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "CnnGen.Sample.Mnist.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--epochs");
        start.ArgumentList.Add("-3");
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        _output.WriteLine(stderr);
        AssertCleanError(new Run(process.ExitCode, stdout, stderr), App.UsageError, "--epochs");
    }
}

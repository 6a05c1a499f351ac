using System;
using System.IO;
using System.Linq;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Networks;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>
/// --net, --augment and --preset at the command line: each network trains into its own model file and eval finds the
/// network from the file; the record preset sets what the user did not (for MNIST and for Fashion-MNIST) and never what
/// they did; augmented runs resume exactly; bad specs are usage errors.
/// </summary>
[Collection(MnistTrainingCollection.Name)]
public sealed class NetworkCliTests(ITestOutputHelper output) : IDisposable
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist";
    private readonly string _root = Directory.CreateTempSubdirectory("cnngen-net-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private CliTests.Run Invoke(params string[] args)
    {
        var run = CliTests.Invoke(args);
        output.WriteLine($"$ {string.Join(' ', args)}\n{run.Out}{run.Error}");
        return run;
    }

    private string Out(string name) => Path.Combine(_root, name);

    [Fact]
    public void Each_network_trains_into_its_own_model_file_and_eval_makes_the_network_the_file_names()
    {
        _ = RealMnist.Location;
        var train = Invoke("train", "--net", "bnnet", "--epochs", "1", "--train-limit", "1500", "--test-limit", "300",
                           "--no-plots", "--output", Out("bn"));
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("Training BnNet (426,618 parameters)", train.Out);
        Assert.Contains("augmentation none.", train.Out);
        Assert.True(File.Exists(Path.Combine(Out("bn"), "bnnet.model")));
        Assert.True(File.Exists(Path.Combine(Out("bn"), "bnnet.checkpoint")));
        Assert.False(File.Exists(Path.Combine(Out("bn"), App.ModelFileName)));

        var eval = Invoke("eval", "--model", Path.Combine(Out("bn"), "bnnet.model"), "--test-limit", "300");
        Assert.Equal(0, eval.ExitCode);
        Assert.Contains("(BnNet, 426,618 parameters)", eval.Out);
        // the same accuracy as train's final evaluation on the same 300 digits
        string Accuracy(string text) => text.Split('\n').First(l => l.StartsWith("Test accuracy:", StringComparison.Ordinal));
        Assert.Equal(Accuracy(train.Out), Accuracy(eval.Out));

        var summary = Invoke("summary", "--net", "vgg");
        Assert.Equal(0, summary.ExitCode);
        Assert.Contains("VggNet", summary.Out);
        Assert.Contains("vgg: VGG-style", summary.Out);
        Assert.Equal(2, Invoke("train", "--net", "resnet9000").ExitCode);
    }

    /// <summary>The README's ResNet trains from the command line: one short epoch must leave chance (10 %) far behind.</summary>
    [Fact]
    public void The_resnet_trains_and_its_model_evaluates()
    {
        _ = RealMnist.Location;
        var train = Invoke("train", "--net", "resnet", "--epochs", "1", "--train-limit", "3000", "--test-limit", "500",
                           "--no-plots", "--output", Out("resnet"));
        Assert.Equal(0, train.ExitCode);
        Assert.Contains("Training ResNet (77,658 parameters)", train.Out);
        string line = train.Out.Split('\n').First(l => l.StartsWith("Test accuracy:", StringComparison.Ordinal));
        double accuracy = double.Parse(line.Split(' ')[2].TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 60, line);

        var eval = Invoke("eval", "--model", Path.Combine(Out("resnet"), "resnet.model"), "--test-limit", "500");
        Assert.Equal(0, eval.ExitCode);
        Assert.Contains("(ResNet, 77,658 parameters)", eval.Out);
        string Accuracy(string text) => text.Split('\n').First(l => l.StartsWith("Test accuracy:", StringComparison.Ordinal));
        Assert.Equal(Accuracy(train.Out), Accuracy(eval.Out));
    }

    [Fact]
    public void The_record_preset_sets_what_the_user_did_not_and_keeps_what_they_did()
    {
        _ = RealMnist.Location;
        var record = Invoke("train", "--preset", "record", "--epochs", "1", "--train-limit", "1000", "--test-limit", "200",
                            "--no-plots", "--output", Out("record"));
        Assert.Equal(0, record.ExitCode);
        Assert.Contains("Preset record: record preset for MNIST; kept from the command line: --epochs.", record.Out);
        Assert.Contains("Training BnNet4 (463,610 parameters)", record.Out);
        Assert.Contains("1 epochs, batch 64, adamw lr 0.005 (onecycle), weight decay 0.05", record.Out);
        Assert.Contains($"augmentation {Presets.DigitsAugment}.", record.Out);

        var mine = Invoke("train", "--preset", "record", "--net", "lenet5", "--augment", "translate=1", "--lr", "0.001", "--epochs", "1",
                          "--train-limit", "1000", "--test-limit", "200", "--no-plots", "--output", Out("mine"));
        Assert.Equal(0, mine.ExitCode);
        Assert.Contains("kept from the command line: --augment, --epochs, --lr, --net.", mine.Out);
        Assert.Contains("Training LeNet5", mine.Out);
        Assert.Contains("adamw lr 0.001 (onecycle)", mine.Out);
        Assert.Contains("augmentation translate=1.", mine.Out);
        Assert.True(File.Exists(Path.Combine(Out("mine"), App.ModelFileName)));
    }

    /// <summary>
    /// Without --epochs the record preset trains as many epochs as fit its time on this machine, measured before training:
    /// the plan line and the run agree on the count, which lies between 1 and the preset's most.
    /// </summary>
    [Fact]
    public void The_record_preset_measures_how_many_epochs_fit_its_time()
    {
        _ = RealMnist.Location;
        var run = Invoke("train", "--preset", "record", "--train-limit", "640", "--test-limit", "200", "--no-plots", "--output", Out("budget"));
        Assert.Equal(0, run.ExitCode);
        string plan = run.Out.Split('\n').Single(l => l.StartsWith("Preset record: ", StringComparison.Ordinal) && l.Contains(" epochs, ", StringComparison.Ordinal));
        Assert.Contains($"{Presets.MnistBudget.TotalSeconds:0} s training budget on this machine", plan);
        Assert.Contains("digits/s training", plan);
        int epochs = int.Parse(plan["Preset record: ".Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(epochs, 1, Presets.MnistEpochs);
        Assert.Contains($": {epochs} epochs, batch 64, adamw lr 0.005 (onecycle)", run.Out);
        Assert.Contains($"Epoch {epochs}/{epochs}  ", run.Out);
    }

    /// <summary>
    /// Where the record network's 13 epochs do not fit the time (here a budget of 1 s for 6,000 images), the preset trains
    /// bnnet instead, as many epochs as fit, and --resume finds that network's checkpoint (and refuses a new --budget).
    /// </summary>
    [Fact]
    public void The_record_preset_trains_the_smaller_network_where_its_epochs_do_not_fit()
    {
        _ = RealMnist.Location;
        string[] Common() => ["train", "--preset", "record", "--budget", "1", "--train-limit", "6000", "--test-limit", "200", "--no-plots", "--output", Out("slower")];
        var run = Invoke(Common());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Preset record: bnnet4's 13 epochs do not fit its 1 s training budget on this machine (", run.Out);
        Assert.Contains("; bnnet instead.", run.Out);
        Assert.Contains("Training BnNet (426,618 parameters)", run.Out);
        Assert.True(File.Exists(Path.Combine(Out("slower"), "bnnet.model")));
        Assert.False(File.Exists(Path.Combine(Out("slower"), "bnnet4.model")));

        // the resumed run keeps the count it was planned with: another budget would be ignored, so it is refused
        var budgeted = Invoke([.. Common(), "--resume"]);
        Assert.Equal(App.Failed, budgeted.ExitCode);
        Assert.Contains("--budget: the run in ", budgeted.Error);
        Assert.Contains("drop --budget to resume it.", budgeted.Error);

        var again = Invoke(["train", "--preset", "record", "--train-limit", "6000", "--test-limit", "200", "--no-plots", "--output", Out("slower"), "--resume"]);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains($"Resuming from {Path.Combine(Out("slower"), "bnnet.checkpoint")}", again.Out);
        Assert.Contains("(the count the checkpoint was planned with).", again.Out);
    }

    [Theory]
    [InlineData(new[] { "--budget", "30" }, "--budget sets the time of --preset record's epochs")]
    [InlineData(new[] { "--preset", "record", "--budget", "0" }, "--budget must be a number of seconds above 0")]
    [InlineData(new[] { "--preset", "record", "--budget", "30", "--epochs", "3" }, "--budget and --epochs both set how many epochs")]
    public void A_budget_without_the_preset_or_beside_epochs_is_a_usage_error(string[] options, string message)
    {
        var run = Invoke(["train", .. options, "--output", Out("budget-bad")]);
        Assert.Equal(App.UsageError, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.False(Directory.Exists(Out("budget-bad")));
    }

    /// <summary>
    /// A run stopped after its first epoch and resumed without --epochs ends as the uninterrupted run does: the count
    /// comes from the checkpoint (with the default 12 the one-cycle schedule would be laid out anew and the model differ).
    /// </summary>
    [Fact]
    public void Resume_without_epochs_continues_the_count_the_checkpoint_was_planned_with()
    {
        _ = RealMnist.Location;
        string[] Common(string dir) => ["train", "--train-limit", "640", "--test-limit", "100", "--threads", "2", "--seed", "7", "--no-plots", "--output", dir];
        Assert.Equal(0, Invoke([.. Common(Out("whole")), "--epochs", "3"]).ExitCode);

        // stop the run once its first epoch is reported (its checkpoint is written before the report)
        using var stop = new System.Threading.CancellationTokenSource();
        var stdout = new CancelOnWriter("Epoch 1/3", stop);
        var stderr = new StringWriter();
        int code = App.Run([.. Common(Out("parts")), "--epochs", "3"], AppConsole.Plain(stdout, stderr), stop.Token);
        output.WriteLine(stdout.ToString() + stderr);
        Assert.Equal(App.Cancelled, code);
        Assert.DoesNotContain("Epoch 2/3", stdout.ToString());

        var rest = Invoke([.. Common(Out("parts")), "--resume"]);
        Assert.Equal(0, rest.ExitCode);
        Assert.Contains("after epoch 1 of 3 (the count the checkpoint was planned with).", rest.Out);
        Assert.Contains("Epoch 3/3", rest.Out);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out("whole"), App.ModelFileName)), File.ReadAllBytes(Path.Combine(Out("parts"), App.ModelFileName)));
    }

    /// <summary>A writer that cancels <paramref name="stop"/> once <paramref name="text"/> has been written.</summary>
    private sealed class CancelOnWriter(string text, System.Threading.CancellationTokenSource stop) : StringWriter
    {
        public override void Write(char value)
        {
            base.Write(value);
            Check();
        }

        public override void Write(string? value)
        {
            base.Write(value);
            Check();
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            Check();
        }

        private void Check()
        {
            if (!stop.IsCancellationRequested && ToString().Contains(text, StringComparison.Ordinal)) stop.Cancel();
        }
    }

    [Fact]
    public void The_record_preset_on_Fashion_MNIST_flips()
    {
        Assert.True(File.Exists(Path.Combine(FashionMnist, "train-images-idx3-ubyte.gz")),
                    $"Fashion-MNIST is not installed at {FashionMnist} (apt-get install dataset-fashion-mnist; .ci/run does)");
        var run = Invoke("train", "--preset", "record", "--data", FashionMnist, "--epochs", "1", "--train-limit", "2000",
                         "--test-limit", "500", "--no-plots", "--output", Out("fashion"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Data: Fashion-MNIST (verified", run.Out);
        Assert.Contains("Preset record: record preset for Fashion-MNIST", run.Out);
        Assert.Contains("Training BnNet (426,618 parameters)", run.Out);
        Assert.Contains($"augmentation {CnnGen.Data.Augmentation.Parse(Presets.FashionAugment).ToSpec()}.", run.Out);
        Assert.Contains("augmentation translate=2,flip.", run.Out);
        // one epoch of 2,000 images: far above chance (10 %), far below what the full run reaches
        double accuracy = double.Parse(run.Out.Split("Test accuracy: ")[1].Split('%')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(accuracy, 50, 95);
    }

    [Fact]
    public void An_augmented_run_resumes_exactly()
    {
        _ = RealMnist.Location;
        string[] Common(string dir, int epochs) =>
            ["train", "--augment", "translate=2,rotate=10,scale=0.9-1.1,erase=0.5", "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--train-limit", "1000", "--test-limit", "200", "--threads", "2", "--seed", "5", "--schedule", "constant", "--no-plots", "--output", dir];
        Assert.Equal(0, Invoke(Common(Out("whole"), 2)).ExitCode);
        Assert.Equal(0, Invoke(Common(Out("parts"), 1)).ExitCode);
        var rest = Invoke([.. Common(Out("parts"), 2), "--resume"]);
        Assert.Equal(0, rest.ExitCode);
        Assert.Contains("after epoch 1 of 2", rest.Out);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Out("whole"), App.ModelFileName)), File.ReadAllBytes(Path.Combine(Out("parts"), App.ModelFileName)));
        // and the augmentation changed what was learned
        Assert.Equal(0, Invoke("train", "--epochs", "2", "--train-limit", "1000", "--test-limit", "200", "--threads", "2", "--seed", "5",
                               "--schedule", "constant", "--no-plots", "--output", Out("plain")).ExitCode);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(Out("whole"), App.ModelFileName)), File.ReadAllBytes(Path.Combine(Out("plain"), App.ModelFileName)));
    }

    [Theory]
    [InlineData("spin=3", "unknown operation 'spin'")]
    [InlineData("rotate=200", "RotationDegrees must be 0..180")]
    [InlineData("translate", "'translate' needs a value")]
    public void A_bad_augmentation_is_a_usage_error_naming_the_part(string spec, string message)
    {
        var run = Invoke("train", "--augment", spec, "--output", Out("bad"));
        Assert.Equal(App.UsageError, run.ExitCode);
        Assert.StartsWith("error: --augment: ", run.Error);
        Assert.Contains(message, run.Error);
        Assert.Single(run.Error.Trim().Split('\n'));
        Assert.False(Directory.Exists(Out("bad")));
    }
}

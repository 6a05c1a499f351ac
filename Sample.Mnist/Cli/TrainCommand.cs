using CnnGen.Sample.Mnist.Networks;
using System.Collections.Generic;
using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Data;
using CnnGen.Sample.Mnist.Data;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Sample.Mnist.Reporting;
using CnnGen.Training;

namespace CnnGen.Sample.Mnist.Cli;

/// <summary>Everything <c>train</c> is told.</summary>
public sealed record TrainSettings
{
    public int Epochs { get; init; } = TrainCommand.DefaultEpochs;
    public int BatchSize { get; init; } = 64;
    public string Optimizer { get; init; } = TrainCommand.DefaultOptimizer;
    /// <summary>Null: the optimizer's default (<see cref="TrainCommand.DefaultLearningRate"/>).</summary>
    public float? LearningRate { get; init; }
    public string Schedule { get; init; } = TrainCommand.DefaultSchedule;
    /// <summary>Null: the optimizer's default (<see cref="TrainCommand.DefaultWeightDecay"/>).</summary>
    public float? WeightDecay { get; init; }
    public ulong Seed { get; init; } = 42;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string Output { get; init; } = TrainCommand.DefaultOutput;
    public string? Data { get; init; }
    /// <summary>Use only the first N training images (quick runs); null: all.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Use only the first N test images; null: all.</summary>
    public int? TestLimit { get; init; }
    /// <summary>Skip the PNG charts.</summary>
    public bool NoPlots { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="Output"/> (written after every epoch) instead of starting anew.</summary>
    public bool Resume { get; init; }
    /// <summary>Class names of an IDX set, one a line.</summary>
    public string? Classes { get; init; }
    /// <summary>Hold out this many training samples (seeded split) as the validation set that early stopping and the best model watch.</summary>
    public int? Validation { get; init; }
    /// <summary>Stop after this many epochs without a better validation loss; 0: off. Needs <see cref="Validation"/>.</summary>
    public int Patience { get; init; }
    /// <summary>Scale image-folder images to this size.</summary>
    public (int Width, int Height)? Resize { get; init; }
    /// <summary>Make image-folder images one channel.</summary>
    public bool Grayscale { get; init; }
    /// <summary>The network to train (<see cref="NetworkCatalog"/>).</summary>
    public string Net { get; init; } = NetworkCatalog.DefaultName;
    /// <summary>Augmentation of the training images, in <see cref="Augmentation.Parse"/>'s form; null: none.</summary>
    public string? Augment { get; init; }
    /// <summary>A preset (<see cref="Presets"/>) that sets the network, schedule and augmentation the user did not set.</summary>
    public string? Preset { get; init; }
    /// <summary>With a preset: the seconds its epochs may take instead of the preset's own budget; null: the preset's.</summary>
    public double? Budget { get; init; }
    /// <summary>The options the user gave on the command line (by name, e.g. "--epochs"): a preset never overrides them.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>();
}

/// <summary><c>train</c>: load the data (MNIST, or --data), train LeNet-5 with the runtime's <see cref="Trainer"/>, report and save.</summary>
public static class TrainCommand
{
    // The defaults reach >= 99.0 % test accuracy: AdamW with a one-cycle schedule for 12 epochs.
    public const int DefaultEpochs = 12;
    public const string DefaultOptimizer = "adamw";
    public const string DefaultSchedule = "onecycle";
    public const string DefaultOutput = "out";

    public static readonly string[] Optimizers = ["sgd", "momentum", "nesterov", "adam", "adamw"];
    public static readonly string[] Schedules = ["constant", "step", "cosine", "onecycle"];

    /// <summary>The learning rate (the peak, for one-cycle) when --lr is not given.</summary>
    public static float DefaultLearningRate(string optimizer) => optimizer switch
    {
        "sgd" => 0.1f,
        "momentum" or "nesterov" => 0.05f,
        "adam" => 2e-3f,
        _ => 3e-3f,
    };

    /// <summary>Weight decay when --weight-decay is not given: decoupled 0.05 for AdamW, a small L2 otherwise.</summary>
    public static float DefaultWeightDecay(string optimizer) => optimizer == "adamw" ? 0.05f : 1e-4f;

    /// <summary>The options of <c>train</c>; one instance per command that has them.</summary>
    public sealed class Options
    {
        public readonly Option<int> Epochs = App.Positive(new Option<int>("--epochs", "-e")
        {
            Description = "Passes over the training set. When not given: with --resume, the count the checkpoint was planned with; " +
                          "with --preset record, what fits its time on this machine (measured before training).",
            DefaultValueFactory = _ => DefaultEpochs,
            HelpName = "n",
        }, max: 10_000);
        public readonly Option<int> BatchSize = App.Positive(new Option<int>("--batch-size", "-b")
        {
            Description = "Images per mini-batch.",
            DefaultValueFactory = _ => 64,
            HelpName = "n",
        }, max: 65_536);
        public readonly Option<string> Optimizer = new Option<string>("--optimizer", "-O")
        {
            Description = "sgd (plain), momentum (0.9), nesterov (0.9), adam, or adamw (decoupled weight decay).",
            DefaultValueFactory = _ => DefaultOptimizer,
        }.AcceptOnlyFromAmong(Optimizers);
        public readonly Option<float?> LearningRate = new("--lr")
        {
            Description = "Learning rate (the peak for onecycle) [default: sgd 0.1, momentum/nesterov 0.05, adam 0.002, adamw 0.003].",
            HelpName = "rate",
        };
        public readonly Option<string> Schedule = new Option<string>("--schedule", "-s")
        {
            Description = "constant; step (x0.2 after each third of the run); cosine (down to 0); " +
                          "onecycle (warm up over 30 %, then cosine down).",
            DefaultValueFactory = _ => DefaultSchedule,
        }.AcceptOnlyFromAmong(Schedules);
        public readonly Option<float?> WeightDecay = new("--weight-decay")
        {
            Description = "Weight decay [default: adamw 0.05 (decoupled), others 0.0001 (L2)].",
            HelpName = "w",
        };
        public readonly Option<ulong> Seed = new("--seed")
        {
            Description = "Seed of the initial weights and the shuffling: the same seed and thread count give the same run.",
            DefaultValueFactory = _ => 42UL,
            HelpName = "n",
        };
        public readonly Option<int> Threads = App.ThreadsOption();
        public readonly Option<string> Output = new("--output", "-o")
        {
            Description = "Directory for the model (NET.model, e.g. " + App.ModelFileName + "), history.csv and the charts (created if needed).",
            DefaultValueFactory = _ => DefaultOutput,
            HelpName = "dir",
        };
        public readonly Option<string?> Data = App.DataOption();
        public readonly Option<int?> TrainLimit = new("--train-limit")
        {
            Description = "Train on the first n training images only (quick experiments; MNIST has 60,000).",
            HelpName = "n",
        };
        public readonly Option<int?> TestLimit = new("--test-limit")
        {
            Description = "Evaluate on the first n test images only (MNIST has 10,000).",
            HelpName = "n",
        };
        public readonly Option<string?> Classes = App.ClassesOption();
        public readonly Option<int?> Validation = new("--validation")
        {
            Description = "Hold out n training images (a split seeded by --seed) as a validation set: the per-epoch figures, " +
                          "--patience and the saved model (the best epoch by validation loss) use it, never the test set.",
            HelpName = "n",
        };
        public readonly Option<int> Patience = App.Positive(new Option<int>("--patience")
        {
            Description = "With --validation: stop after n epochs without a lower validation loss (0: train all epochs).",
            DefaultValueFactory = _ => 0,
            HelpName = "n",
        }, min: 0, max: 10_000);
        public readonly Option<string?> Resize = new("--resize")
        {
            Description = "Image folders only: scale every image to W x H pixels (e.g. 28x28, the network's input).",
            HelpName = "WxH",
        };
        public readonly Option<bool> Grayscale = new("--grayscale")
        {
            Description = "Image folders only: convert colour images to one channel (luminance).",
        };
        public readonly Option<string> Net = NetOption();
        public readonly Option<string?> Augment = new("--augment")
        {
            Description = "Augment the training images while batches are packed, e.g. translate=2,rotate=10,scale=0.9-1.1,shear=5: " +
                          "translate=K (pixels), crop=P[:zero|edge|reflect] (pad, then crop), flip (left-right, half the images), " +
                          "rotate=DEG, scale=MIN-MAX, shear=DEG, erase=P[:MIN-MAX] (random erasing, area fraction), fill=V, or none. " +
                          "Seeded by --seed. Default: none (the preset's with --preset).",
            HelpName = "spec",
        };
        public readonly Option<string?> Preset = new Option<string?>("--preset")
        {
            Description = "record: the network, schedule and augmentation of our best accuracy in two minutes on 2 cores " +
                          "(MNIST: bnnet4, 13 epochs, adamw 0.005 one-cycle, digits augmentation; Fashion-MNIST: bnnet, 35 epochs at 0.004, shifts and " +
                          "flips; five minutes). Fewer epochs where that many do not fit the time on this machine, measured before training " +
                          "(on MNIST, bnnet instead of bnnet4 where bnnet4's do not fit). " +
                          "Options you give win over the preset's.",
            HelpName = "name",
        }.AcceptOnlyFromAmong(Presets.Names);
        public readonly Option<double?> Budget = new("--budget")
        {
            Description = "With --preset record: the seconds its epochs (training and the evaluation after each) may take on this " +
                          "machine, instead of the preset's 105 (MNIST) or 270 (Fashion-MNIST); it trains what fits.",
            HelpName = "seconds",
        };
        public readonly Option<bool> NoPlots = new("--no-plots") { Description = "Do not write the PNG charts." };
        public readonly Option<bool> Resume = new("--resume")
        {
            Description = "Continue an interrupted run from the checkpoint in the output directory (NET.checkpoint, e.g. " + App.CheckpointFileName +
                          ", written after every epoch). The seed and batch size must be the ones it was made with; give the same " +
                          "--epochs and settings to end exactly where the uninterrupted run would (schedules are laid out over --epochs).",
        };

        public Options()
        {
            foreach (var limit in new[] { TrainLimit, TestLimit, Validation })
                limit.Validators.Add(r =>
                {
                    if (App.TryGetValue(r, out int? v) && v is < 1) r.AddError($"{limit.Name} must be at least 1");
                });
            foreach (var rate in new[] { LearningRate, WeightDecay })
                rate.Validators.Add(r =>
                {
                    if (App.TryGetValue(r, out float? value) && value is { } v && (!float.IsFinite(v) || v < 0 || (rate == LearningRate && v == 0)))
                        r.AddError($"{rate.Name} must be a {(rate == LearningRate ? "positive" : "non-negative")} number, not {v.ToString(CultureInfo.InvariantCulture)}");
                });
            Augment.Validators.Add(r =>
            {
                if (App.TryGetValue(r, out string? text) && text is not null)
                    try { Augmentation.Parse(text); }
                    catch (FormatException e) { r.AddError($"--augment: {e.Message}"); }
            });
            Resize.Validators.Add(r =>
            {
                if (App.TryGetValue(r, out string? text) && text is not null && ParseSize(text) is null)
                    r.AddError($"--resize must be WIDTHxHEIGHT with sizes from 1 to 4096 (e.g. 28x28), not '{text}'");
            });
        }

        public void AddTo(Command command)
        {
            foreach (Option option in new Option[] { Net, Preset, Augment, Epochs, BatchSize, Optimizer, LearningRate, Schedule, WeightDecay, Seed,
                                                     Threads, Output, Data, Classes, Validation, Patience, Resize, Grayscale,
                                                     TrainLimit, TestLimit, NoPlots, Resume, Budget })
                command.Options.Add(option);
            command.Validators.Add(r =>
            {
                // Early stopping on the test set would choose the model by the test set: it watches --validation only.
                try
                {
                    if (r.GetValue(Patience) > 0 && r.GetValue(Validation) is null)
                        r.AddError("--patience needs --validation N: early stopping watches the validation set, never the test set");
                    if (r.GetValue(Budget) is { } budget && !(budget > 0 && budget <= 1e6))
                        r.AddError($"--budget must be a number of seconds above 0 (at most 1000000), not {budget.ToString(CultureInfo.InvariantCulture)}");
                    if (r.GetValue(Budget) is not null && r.GetValue(Preset) is null)
                        r.AddError("--budget sets the time of --preset record's epochs; without --preset, give --epochs");
                    else if (r.GetValue(Budget) is not null && r.GetResult(Epochs) is { Implicit: false })
                        r.AddError("--budget and --epochs both set how many epochs the preset trains; give one of them");
                }
                catch (InvalidOperationException)
                {
                    // A value that did not parse: that error is already reported.
                }
            });
        }

        public TrainSettings Read(ParseResult parse) => new()
        {
            Epochs = parse.GetValue(Epochs),
            BatchSize = parse.GetValue(BatchSize),
            Optimizer = parse.GetValue(Optimizer)!,
            LearningRate = parse.GetValue(LearningRate),
            Schedule = parse.GetValue(Schedule)!,
            WeightDecay = parse.GetValue(WeightDecay),
            Seed = parse.GetValue(Seed),
            Threads = parse.GetValue(Threads),
            Output = parse.GetValue(Output)!,
            Data = parse.GetValue(Data),
            TrainLimit = parse.GetValue(TrainLimit),
            TestLimit = parse.GetValue(TestLimit),
            NoPlots = parse.GetValue(NoPlots),
            Resume = parse.GetValue(Resume),
            Classes = parse.GetValue(Classes),
            Validation = parse.GetValue(Validation),
            Patience = parse.GetValue(Patience),
            Resize = parse.GetValue(Resize) is { } size ? ParseSize(size) : null,
            Grayscale = parse.GetValue(Grayscale),
            Net = parse.GetValue(Net)!,
            Augment = parse.GetValue(Augment),
            Preset = parse.GetValue(Preset),
            Budget = parse.GetValue(Budget),
            Given = new HashSet<string>(new Option[] { Net, Augment, Epochs, Optimizer, LearningRate, Schedule, WeightDecay }
                .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name)),
        };
    }

    /// <summary>--net, shared by train and summary.</summary>
    public static Option<string> NetOption() => new Option<string>("--net")
    {
        Description = "The network: " + string.Join("; ", NetworkCatalog.All.Select(n => $"{n.Name} ({n.Description})")) + ".",
        DefaultValueFactory = _ => NetworkCatalog.DefaultName,
        HelpName = "name",
    }.AcceptOnlyFromAmong(NetworkCatalog.Names);

    /// <summary>
    /// The settings with <paramref name="s"/>'s preset applied to what the user did not give, and a line saying what the
    /// preset set (null without a preset).
    /// </summary>
    public static (TrainSettings Settings, string? Line, PresetChoice? Choice) ApplyPreset(TrainSettings s, LoadedData data)
    {
        if (s.Preset is not { } name) return (s, null, null);
        var p = Presets.Resolve(name, data);
        bool Free(string option) => !s.Given.Contains(option);
        var applied = s with
        {
            Net = Free("--net") ? p.Net : s.Net,
            Epochs = Free("--epochs") ? p.Epochs : s.Epochs,
            Optimizer = Free("--optimizer") ? p.Optimizer : s.Optimizer,
            LearningRate = Free("--lr") ? p.LearningRate : s.LearningRate,
            Schedule = Free("--schedule") ? p.Schedule : s.Schedule,
            WeightDecay = Free("--weight-decay") ? p.WeightDecay : s.WeightDecay,
            Augment = Free("--augment") ? p.Augment : s.Augment,
        };
        string kept = s.Given.Count == 0 ? "" : $"; kept from the command line: {string.Join(", ", s.Given.Order(StringComparer.Ordinal))}";
        return (applied, $"Preset {name}: {p.Note}{kept}.", p);
    }

    /// <summary>"28x28" (or "28X28") as (width, height); null when it is not two sizes from 1 to 4096.</summary>
    public static (int Width, int Height)? ParseSize(string text)
    {
        string[] parts = text.Split('x', 'X');
        return parts.Length == 2 &&
               int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w) &&
               int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) &&
               w is >= 1 and <= 4096 && h is >= 1 and <= 4096
            ? (w, h) : null;
    }

    public static Optimizer CreateOptimizer(TrainSettings s)
    {
        float lr = s.LearningRate ?? DefaultLearningRate(s.Optimizer);
        float wd = s.WeightDecay ?? DefaultWeightDecay(s.Optimizer);
        return s.Optimizer switch
        {
            "sgd" => new Sgd(lr, weightDecay: wd),
            "momentum" => new Sgd(lr, momentum: 0.9f, weightDecay: wd),
            "nesterov" => new Sgd(lr, momentum: 0.9f, nesterov: true, weightDecay: wd),
            "adam" => new Adam(lr, weightDecay: wd),
            "adamw" => new AdamW(lr, weightDecay: wd),
            _ => throw new UserException($"Unknown optimizer '{s.Optimizer}'; use one of {string.Join(", ", Optimizers)}."),
        };
    }

    public static LearningRateSchedule CreateSchedule(TrainSettings s, long stepsPerEpoch)
    {
        float lr = s.LearningRate ?? DefaultLearningRate(s.Optimizer);
        return s.Schedule switch
        {
            "constant" => LearningRateSchedule.Constant(lr),
            "step" => LearningRateSchedule.StepDecay(lr, Math.Max(1, stepsPerEpoch * s.Epochs / 3), 0.2f),
            "cosine" => LearningRateSchedule.Cosine(lr),
            "onecycle" => LearningRateSchedule.OneCycle(lr),
            _ => throw new UserException($"Unknown schedule '{s.Schedule}'; use one of {string.Join(", ", Schedules)}."),
        };
    }

    public static int Run(TrainSettings s, CommandContext context)
    {
        var console = context.Console;
        var clock = Stopwatch.StartNew();
        // The data is read and checked against the network before anything is created or written in --output.
        var data = App.LoadData(new DataSourceOptions
        {
            Directory = s.Data,
            ClassesFile = s.Classes,
            Validation = s.Validation ?? 0,
            Seed = s.Seed,
            Resize = s.Resize,
            Grayscale = s.Grayscale,
        }, context);
        (s, string? presetLine, PresetChoice? preset) = ApplyPreset(s, data);
        if (presetLine is not null) console.Out.WriteLine(presetLine);
        // A preset run that trained its network for slower machines left that network's checkpoint: resume that one.
        if (s.Resume && preset is { SlowerNet: { } slowerNet } && !s.Given.Contains("--net") &&
            !File.Exists(Path.Combine(s.Output, NetworkCatalog.Get(s.Net).CheckpointFileName)) &&
            File.Exists(Path.Combine(s.Output, NetworkCatalog.Get(slowerNet).CheckpointFileName)))
            s = s with { Net = slowerNet };
        var choice = NetworkCatalog.Get(s.Net);
        string checkpoint = Path.Combine(s.Output, choice.CheckpointFileName);
        // --resume without --epochs continues the run's own plan: the count its checkpoint was made with.
        int? resumedEpochs = s.Resume && !s.Given.Contains("--epochs") ? PlannedEpochs(checkpoint) : null;
        if (resumedEpochs is { } planned) s = s with { Epochs = planned };
        if (resumedEpochs is not null && s.Budget is not null)
            throw new UserException($"--budget: the run in {checkpoint} was planned for {resumedEpochs} epochs and --resume continues them; drop --budget to resume it.");
        INetwork net = choice.Create();
        Augmentation? augmentation = s.Augment is null ? null : Augmentation.Parse(s.Augment);
        DataSource.CheckFits(data, net);
        var (train, validation, test) = (data.Train, data.Validation, data.Test);
        if (s.TrainLimit is { } trainLimit) train = train.Take(trainLimit);
        if (s.TestLimit is { } testLimit) test = test.Take(testLimit);
        var about = ModelDataInfo.From(data);
        string output = PrepareOutput(s.Output);

        net.InitializeParameters(s.Seed);
        var optimizer = CreateOptimizer(s);
        if (preset is { TrainingBudget: { } presetBudget } && resumedEpochs is null && !s.Given.Contains("--epochs"))
        {
            var budget = s.Budget is { } seconds ? TimeSpan.FromSeconds(seconds) : presetBudget;
            EpochPlan PlanFor(NetworkChoice network) => EpochBudget.Plan(network.Create, CreateOptimizer(s), new TrainerOptions
            {
                BatchSize = s.BatchSize,
                Seed = s.Seed,
                Threads = s.Threads,
                Normalization = data.Normalization,
                Augmentation = augmentation,
            }, train, validation ?? test, budget, preset.Epochs);
            var plan = PlanFor(choice);
            if (plan.Epochs < preset.Epochs && preset.SlowerNet is { } slower && !s.Given.Contains("--net"))
            {
                // not all of the epochs its settings were chosen with fit: the smaller network, with as many as fit
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Preset {s.Preset}: {choice.Name}'s {preset.Epochs} epochs do not fit its {budget.TotalSeconds:0} s training budget on this machine ({plan.Epochs} would: {plan.TrainPerSecond:N0} {data.Noun}/s training, {plan.EpochSeconds:0.0} s an epoch); {slower} instead."));
                s = s with { Net = slower };
                choice = NetworkCatalog.Get(slower);
                net = choice.Create();
                DataSource.CheckFits(data, net);
                net.InitializeParameters(s.Seed);
                optimizer = CreateOptimizer(s);
                checkpoint = Path.Combine(s.Output, choice.CheckpointFileName);
                plan = PlanFor(choice);
            }
            s = s with { Epochs = plan.Epochs };
            console.Out.WriteLine($"Preset {s.Preset}: {EpochBudget.Describe(plan, budget, preset.Epochs, data.Noun)}.");
        }
        long stepsPerEpoch = (train.Count + s.BatchSize - 1) / s.BatchSize;
        // With --validation the trainer watches the validation set (best model, early stopping); the test set is used
        // once, at the end. Without it nothing is chosen: the per-epoch test figures are information only.
        string? bestPath = validation is null ? null : Path.Combine(output, choice.BestModelFileName);
        var options = new TrainerOptions
        {
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            Seed = s.Seed,
            Threads = s.Threads,
            Normalization = data.Normalization,
            Schedule = CreateSchedule(s, stepsPerEpoch),
            ProgressInterval = Math.Max(1, (int)(stepsPerEpoch / 100)),
            CheckpointPath = checkpoint,
            Augmentation = augmentation,
            Metadata = WithPlannedEpochs(about.ToMetadata(), s.Epochs),
            BestModelPath = bestPath,
            EarlyStoppingPatience = validation is null ? 0 : s.Patience,
        };
        float lr = s.LearningRate ?? DefaultLearningRate(s.Optimizer);
        string held = validation is null ? "" : $"validating on {validation.Count:N0}, ";
        console.Out.WriteLine(
            $"Training {net.Name} ({net.ParameterCount:N0} parameters) on {train.Count:N0} {data.Noun}, {held}testing on {test.Count:N0}: " +
            $"{s.Epochs} epochs, batch {s.BatchSize}, {s.Optimizer} lr {lr.ToString(CultureInfo.InvariantCulture)} ({s.Schedule}), " +
            $"weight decay {(s.WeightDecay ?? DefaultWeightDecay(s.Optimizer)).ToString(CultureInfo.InvariantCulture)}, " +
            $"seed {s.Seed}, {s.Threads} thread(s), inputs {data.Normalization} ({data.NormalizationSource}), " +
            $"augmentation {(augmentation is { IsIdentity: false } a ? a.ToSpec() : "none")}.");

        using var trainer = new Trainer(net, optimizer, options);
        if (s.Resume)
        {
            if (!File.Exists(checkpoint))
                throw new UserException($"--resume: there is no checkpoint {checkpoint}; run train without --resume first (it writes one after every epoch).");
            try
            {
                trainer.LoadCheckpoint(checkpoint);
            }
            catch (InvalidOperationException e)
            {
                throw new UserException($"--resume: {e.Message}", e);
            }
            console.Out.WriteLine($"Resuming from {checkpoint} after epoch {trainer.Progress.EpochsCompleted} of {s.Epochs}" +
                                  (resumedEpochs is null ? "." : " (the count the checkpoint was planned with)."));
        }
        var view = TrainingView.Create(console, s.Epochs, train.Count, data.Noun, validation is null ? "test" : "validation");
        TrainingResult result = view.Run(trainer, train, validation ?? test, context.CancellationToken);
        var history = view.History;
        if (bestPath is not null && File.Exists(bestPath))
        {
            ModelFile.Load(bestPath, net);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Best epoch by validation loss: {result.Progress.BestEpoch} (validation loss {result.Progress.BestMetric:0.0000})" +
                $"{(result.Progress.StoppedEarly ? ", stopped early" : "")}; that model is the one tested and saved."));
        }

        // Final evaluation, kept per sample for the per-class table and the misclassified images.
        var predictions = Evaluator.Run(net, test, data.Normalization, s.Threads, trainer.Lanes,
                                        cancellationToken: context.CancellationToken);
        string modelPath = Path.Combine(output, choice.ModelFileName);
        ModelFile.Save(modelPath, net, about.ToMetadata());
        if (bestPath is not null) File.Delete(bestPath); // its weights are now the model's
        WriteHistory(Path.Combine(output, "history.csv"), history, validation is null ? "test" : "validation");

        Report.Final(console, predictions, about, clock.Elapsed, result.History.Count, s.Epochs);
        console.Out.WriteLine($"Model: {modelPath}");
        console.Out.WriteLine($"History: {Path.Combine(output, "history.csv")}");
        if (!s.NoPlots)
        {
            string curves = Path.Combine(output, "training.png");
            string confusion = Path.Combine(output, "confusion.png");
            string wrong = Path.Combine(output, "misclassified.png");
            Charts.TrainingCurves(history, curves, validation is null ? "test" : "validation");
            Charts.ConfusionMatrix(predictions.Confusion, confusion, about);
            Charts.Misclassified(test, predictions, wrong, about);
            console.Out.WriteLine($"Charts: {curves}, {confusion}, {wrong}");
        }
        return App.Ok;
    }

    /// <summary>The metadata key of a checkpoint that holds the epochs its run was planned with.</summary>
    public const string PlannedEpochsKey = "training.epochs";

    private static ModelMetadata WithPlannedEpochs(ModelMetadata metadata, int epochs) =>
        new([.. metadata, new(PlannedEpochsKey, epochs.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>
    /// The epochs <paramref name="checkpoint"/>'s run was planned with; null when there is no such file or it does not
    /// say (made before the count was stored: then --epochs, or its default, applies). A count that is not a positive
    /// number is an error naming the file.
    /// </summary>
    private static int? PlannedEpochs(string checkpoint)
    {
        if (!File.Exists(checkpoint)) return null; // the --resume check below names the missing file
        ModelFileInfo info;
        try
        {
            info = ModelFile.ReadInfo(checkpoint);
        }
        catch (ModelFileException)
        {
            return null; // loading the checkpoint reports what is wrong with it
        }
        if (info.Metadata.Get(PlannedEpochsKey) is not { } text) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) && epochs > 0
            ? epochs
            : throw new UserException($"--resume: checkpoint {checkpoint} says it was planned for '{text}' epochs, not a positive number; give --epochs.");
    }

    /// <summary>The default network's best model by validation loss while training with --validation (removed once it is the saved model).</summary>
    public const string BestModelFileName = NetworkCatalog.DefaultName + ".best.model";

    /// <summary>Creates the output directory, or says clearly why it cannot be used.</summary>
    public static string PrepareOutput(string output)
    {
        if (File.Exists(output))
            throw new UserException($"--output {output} is a file; give a directory.");
        try
        {
            Directory.CreateDirectory(output);
            string probe = Path.Combine(output, $".write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserException($"--output {output} cannot be written: {e.Message}", e);
        }
        return output;
    }

    /// <summary>One line per epoch; <paramref name="monitored"/> ("test" or "validation") names the set of the evaluation columns.</summary>
    private static void WriteHistory(string path, System.Collections.Generic.IReadOnlyList<EpochRecord> history, string monitored)
    {
        var text = new StringBuilder($"epoch,train_loss,train_accuracy,{monitored}_loss,{monitored}_accuracy,seconds,learning_rate\n");
        foreach (var h in history)
            text.Append(CultureInfo.InvariantCulture,
                $"{h.Epoch},{h.TrainLoss:R},{h.TrainAccuracy:R},{h.TestLoss:R},{h.TestAccuracy:R},{h.Duration.TotalSeconds:0.###},{h.LearningRate:R}\n");
        File.WriteAllText(path, text.ToString());
    }
}

using System;
using System.Linq;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Data;

namespace CnnGen.Sample.Mnist.Networks;

/// <summary>
/// What a preset sets: the network, the schedule and the augmentation, and why (printed with the settings).
/// <paramref name="Epochs"/> is the most it trains (the count its settings were chosen with); with a
/// <paramref name="TrainingBudget"/> the count is what fits that time on this machine, measured before training
/// (<see cref="EpochBudget"/>), and never more than <paramref name="Epochs"/>. Where <paramref name="Net"/>'s epochs do not
/// all fit, <paramref name="SlowerNet"/> (when given) trains instead, with as many as fit.
/// </summary>
public sealed record PresetChoice(string Net, int Epochs, string Optimizer, float LearningRate, string Schedule, float WeightDecay,
                                  string Augment, string Note, TimeSpan? TrainingBudget = null, string? SlowerNet = null);

/// <summary>
/// <c>--preset</c>: settings chosen for a goal. Options given on the command line always win over the preset's.
/// </summary>
public static class Presets
{
    public const string Record = "record";

    public static readonly string[] Names = [Record];

    /// <summary>The digits augmentation: small shifts, rotations, scalings and shears; no flip (a mirrored 2 is no 2).</summary>
    public const string DigitsAugment = "translate=2,rotate=10,scale=0.9-1.1,shear=5";

    /// <summary>
    /// Clothing: mirrored left-right it is the same class. (Random erasing as well, erase=0.5, left this network
    /// underfitting: 91.3 % against 91.8 % on the validation split after 24 of 35 epochs.)
    /// </summary>
    public const string FashionAugment = "translate=2,flip";

    /// <summary>
    /// The time the record preset gives its epochs (training and the evaluation after each): the targets are the whole
    /// command's wall time, 2 minutes for MNIST and 5 for Fashion-MNIST, and start-up, the measurement of the epoch,
    /// the final evaluation, the charts and the noise of a shared machine take the rest.
    /// </summary>
    public static readonly TimeSpan MnistBudget = TimeSpan.FromSeconds(105), FashionBudget = TimeSpan.FromSeconds(270);

    /// <summary>
    /// The most epochs of the MNIST record preset: 13. More did not help BnNet on the validation split (10,000 images held out,
    /// seed 42, best epoch by validation loss, 2026-12-04): 13 epochs 0.0143 / 99.55 %; 20 epochs 0.0152 / 99.53 %, at lr
    /// 0.004 0.0149 / 99.57 %, at 0.006 0.0156 / 99.50 %, weight decay 0.1 0.0154 / 99.51 %, stronger warps (rotate 12,
    /// scale 0.85-1.15, shear 8) 0.0142 / 99.50 %, those at lr 0.004 0.0156 / 99.43 %, translate 3, rotate 15, scale
    /// 0.8-1.2, shear 10 0.0147 / 99.51 %.
    /// </summary>
    public const int MnistEpochs = 13;

    /// <summary>The most epochs of the Fashion-MNIST record preset (the count its learning rate was chosen with).</summary>
    public const int FashionEpochs = 35;

    /// <summary>
    /// <c>record</c>: the best accuracy we found within two minutes (MNIST) or five (Fashion-MNIST) on a 2-core machine:
    /// <see cref="BnNet4"/> (MNIST and other data) or <see cref="BnNet"/> (Fashion-MNIST), AdamW with a one-cycle schedule, augmentation for the data set. Chosen on a validation split
    /// held out of the training set, never on the test set. On other data it uses the digits settings without a flip
    /// (whether a mirrored image keeps its class is the user's call: add it with --augment).
    /// </summary>
    public static PresetChoice Resolve(string name, LoadedData data)
    {
        if (!string.Equals(name, Record, StringComparison.OrdinalIgnoreCase))
            throw new UserException($"--preset {name}: no such preset; use one of {string.Join(", ", Names)}.");
        bool fashion = data.Verified && data.Name == KnownDataset.FashionMnist.Name;
        return fashion
            // lr 0.004: on the validation split (10,000 images held out, seed 42) 94.13 % at a best validation loss of
            // 0.1650, against 94.06 % / 0.1665 at 0.003 and 94.05 % / 0.1652 at 0.003 with weight decay 0.1 (2026-12-03)
            ? new("bnnet", FashionEpochs, "adamw", 4e-3f, "onecycle", 0.05f, FashionAugment, "record preset for Fashion-MNIST", FashionBudget)
            : new("bnnet4", MnistEpochs, "adamw", 5e-3f, "onecycle", 0.05f, DigitsAugment,
                  data.IsDigits ? "record preset for MNIST" : $"record preset (MNIST's settings: {data.Name} is not a set it was tuned on)",
                  MnistBudget, SlowerNet: "bnnet");
    }
}

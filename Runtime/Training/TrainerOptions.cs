using CnnGen.Data;

namespace CnnGen.Training;

/// <summary>Settings of a <see cref="Trainer"/>. Defaults: 10 epochs, batch 64, seed 1, one thread, preferred lanes.</summary>
public sealed class TrainerOptions
{
    /// <summary>Epochs to train in total (a resumed run continues up to this number).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch; the last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the shuffling and dropout streams (initialize the network with <see cref="INetwork.InitializeParameters"/> yourself).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Worker threads for data-parallel training and evaluation (the calling thread is one of them).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Samples per SIMD value (1, 4, 8 or 16: <see cref="LaneWidths"/>); 0 means <see cref="NetworkWorkspace.PreferredLanes"/>.</summary>
    public int Lanes { get; init; }

    /// <summary>Reshuffle the training set every epoch (seeded by <see cref="Seed"/> and the epoch).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>How pixel bytes become inputs.</summary>
    public PixelNormalization Normalization { get; init; } = PixelNormalization.Scale01;

    /// <summary>
    /// Random changes to the training images (null or <see cref="Augmentation.None"/>: none), applied while each batch is
    /// packed; never to evaluation. Seeded by <see cref="Seed"/>, the epoch and the sample's index, so a run is the same
    /// for every thread count and a resumed run continues exactly.
    /// </summary>
    public Augmentation? Augmentation { get; init; }

    /// <summary>Learning rate per step; null keeps the optimizer's learning rate constant.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip the batch gradient to this global L2 norm; 0 disables clipping.</summary>
    public float MaxGradientNorm { get; init; }

    /// <summary>Stop after this many epochs without improvement of the monitored loss (test loss, else train loss); 0 disables.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>An epoch improves only if the monitored loss drops by more than this.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>If set, the model (parameters and state) is saved here whenever the monitored loss improves.</summary>
    public string? BestModelPath { get; init; }

    /// <summary>Written into the best model and every checkpoint (for example the normalization and class names); null: none.</summary>
    public ModelMetadata? Metadata { get; init; }

    /// <summary>If set, a checkpoint (model, optimizer, position) is saved here at the end of every epoch.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Raise <see cref="Trainer.BatchCompleted"/> every this many batches (and on the last batch of an epoch).</summary>
    public int ProgressInterval { get; init; } = 50;
}

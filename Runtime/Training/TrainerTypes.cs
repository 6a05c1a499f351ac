using System;
using System.Collections.Generic;
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

/// <summary>Where a training run is: saved in checkpoints so that a resumed run continues exactly.</summary>
public sealed record TrainingProgress
{
    /// <summary>Epochs fully done.</summary>
    public int EpochsCompleted { get; init; }
    /// <summary>Optimizer steps (mini-batches) done; the schedule's step index.</summary>
    public long StepsCompleted { get; init; }
    /// <summary>The seed of the run.</summary>
    public ulong Seed { get; init; }
    /// <summary>The batch size of the run.</summary>
    public int BatchSize { get; init; }
    /// <summary>The best monitored loss so far (test loss, else train loss); +infinity before the first epoch.</summary>
    public double BestMetric { get; init; } = double.PositiveInfinity;
    /// <summary>The 1-based epoch that reached <see cref="BestMetric"/>; 0 before the first epoch.</summary>
    public int BestEpoch { get; init; }
    /// <summary>Consecutive epochs without improvement (for early stopping).</summary>
    public int EpochsWithoutImprovement { get; init; }
    /// <summary>True once early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }
}

/// <summary>Progress within an epoch, raised by <see cref="Trainer.BatchCompleted"/>.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="BatchesPerEpoch">Batches in the epoch.</param>
/// <param name="Samples">Samples trained so far this epoch.</param>
/// <param name="MeanLoss">Mean training loss so far this epoch.</param>
/// <param name="Accuracy">Training accuracy so far this epoch.</param>
/// <param name="SamplesPerSecond">Training throughput so far this epoch.</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int BatchesPerEpoch, long Samples, double MeanLoss,
                                            double Accuracy, double SamplesPerSecond, float LearningRate);

/// <summary>The end of an epoch, raised by <see cref="Trainer.EpochCompleted"/>.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainLoss">Mean training loss over the epoch (training mode, weights changing during the epoch).</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch.</param>
/// <param name="Test">Evaluation on the test set in inference mode, or null without one.</param>
/// <param name="Seconds">Wall time of the training part of the epoch.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="Improved">Whether the monitored loss improved (and the best model was saved, if configured).</param>
/// <param name="StoppedEarly">Whether early stopping ends the run after this epoch.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double TrainAccuracy, EvaluationResult? Test,
                                 double Seconds, double SamplesPerSecond, float LearningRate, bool Improved, bool StoppedEarly);

/// <summary>What <see cref="Trainer.Fit"/> did.</summary>
/// <param name="Progress">The position at the end (pass a checkpoint of it to resume).</param>
/// <param name="History">The report of every epoch run by this call.</param>
public sealed record TrainingResult(TrainingProgress Progress, IReadOnlyList<EpochReport> History);

/// <summary>Training produced a NaN or infinite loss.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for 1-based <paramref name="epoch"/> and <paramref name="batch"/>.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss, float learningRate)
        : base($"Training diverged: the loss became {loss} in epoch {epoch}, batch {batch} (learning rate {learningRate}). " +
               "Try a lower learning rate (or gradient clipping with MaxGradientNorm); the weights are those before this batch, " +
               "and the last checkpoint and best model on disk are those of the last completed epoch.")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>
    /// Creates the exception for weights that became NaN or infinite in the last update of an epoch (the loss of that
    /// batch was still finite, so no later batch would have noticed before the epoch's checkpoint).
    /// </summary>
    public TrainingDivergedException(int epoch, int batch, float learningRate)
        : base($"Training diverged: the weights became NaN or infinite in epoch {epoch}, batch {batch} (learning rate {learningRate}). " +
               "Try a lower learning rate (or gradient clipping with MaxGradientNorm); this epoch was not saved, so the last checkpoint " +
               "and best model on disk are those of the last completed epoch.")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch.</summary>
    public int Batch { get; }
}

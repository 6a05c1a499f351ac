using System;

namespace CnnGen.Training;

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

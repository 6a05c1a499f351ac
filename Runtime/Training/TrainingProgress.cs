namespace CnnGen.Training;

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

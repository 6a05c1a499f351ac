using System.Collections.Generic;

namespace CnnGen.Training;

/// <summary>What <see cref="Trainer.Fit"/> did.</summary>
/// <param name="Progress">The position at the end (pass a checkpoint of it to resume).</param>
/// <param name="History">The report of every epoch run by this call.</param>
public sealed record TrainingResult(TrainingProgress Progress, IReadOnlyList<EpochReport> History);

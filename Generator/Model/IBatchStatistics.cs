using CnnGen.Generator.Emitting;

namespace CnnGen.Generator.Model;

/// <summary>
/// A layer that normalizes with statistics of the training batch: it needs the workspace's per-lane <c>valid</c>
/// mask, and <c>UpdateRunningStatistics</c> folds its batch statistics into running ones for inference.
/// </summary>
internal interface IBatchStatistics
{
    /// <summary>The workspace arrays passed to the running update, e.g. <c>ws.batchnorm1_mean, ws.batchnorm1_var</c>.</summary>
    string StatisticsArguments { get; }
    /// <summary>The running update's parameters for them.</summary>
    string StatisticsParameters { get; }
    /// <summary>Statements folding the batch statistics into the running ones (<c>s</c> the state, <c>count</c> the samples).</summary>
    void EmitRunningUpdate(SourceWriter w);
}

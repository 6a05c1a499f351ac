namespace CnnGen.Training;

/// <summary>
/// The saved form of an optimizer: its kind, the number of steps taken and its per-parameter buffers
/// (velocity for momentum SGD; first and second moments for Adam and AdamW). Enough to resume exactly.
/// </summary>
/// <param name="Kind">The optimizer kind, e.g. <c>"Sgd"</c>, <c>"Adam"</c>, <c>"AdamW"</c>.</param>
/// <param name="StepCount">Steps taken so far (the Adam bias-correction <c>t</c>).</param>
/// <param name="Buffers">Per-parameter buffers, each as long as the parameter vector (empty before the first step).</param>
public sealed record OptimizerState(string Kind, long StepCount, float[][] Buffers);

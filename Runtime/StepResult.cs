namespace CnnGen;

/// <summary>What one training or loss step over a mini-batch produced.</summary>
/// <param name="LossSum">Sum of the cross-entropy losses of the valid samples (not the mean).</param>
/// <param name="Correct">How many valid samples had their label as the arg-max of the output.</param>
public readonly record struct StepResult(double LossSum, int Correct);

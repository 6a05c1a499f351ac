namespace CnnGen.Training;

/// <summary>Loss and accuracy of a network over a dataset.</summary>
/// <param name="Loss">Mean cross-entropy per sample.</param>
/// <param name="Accuracy">Fraction of samples whose arg-max is their label.</param>
/// <param name="Count">Samples evaluated.</param>
/// <param name="Confusion">The confusion matrix (per-class accuracy via <see cref="ConfusionMatrix.ClassAccuracy"/>).</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int Count, ConfusionMatrix Confusion);

namespace CnnGen.Training;

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

namespace CnnGen.Training;

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

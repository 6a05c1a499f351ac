using System;
using CnnGen.Data;
using CnnGen.Sample.Mnist;
using CnnGen.Sample.Mnist.Evaluation;
using CnnGen.Training;
using Xunit;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>
/// The Trainer, <see cref="Metrics.Evaluate"/> and the sample's predictions score through one routine: the same loss
/// and accuracy for the same network and data, also where the network is so confident and so wrong that
/// probabilities fall below 1e-12 (the sample used to clamp there, the Trainer at 1e-30).
/// </summary>
public sealed class EvaluationAgreementTests
{
    [Fact]
    public void Trainer_Metrics_and_the_sample_report_the_same_loss_and_accuracy()
    {
        var data = SyntheticData.Make(200, 10, 28, 28, seed: 5, "test");
        var net = new LeNet5();
        net.InitializeParameters(9);
        // scale the last dense layer's weights: saturated softmax outputs, some wrong with p[label] < 1e-12
        var p = net.Parameters;
        for (int i = p.Length - 10 - 84 * 10; i < p.Length - 10; i++) p[i] *= 200f;

        var normalization = PixelNormalization.Mnist;
        var metrics = Metrics.Evaluate(net, data, normalization);
        using var trainer = new Trainer(net, new Sgd(0.1f), new TrainerOptions { Threads = 2, Normalization = normalization });
        var fromTrainer = trainer.Evaluate(data);
        var sample = Evaluator.Run(net, data, normalization, threads: 2);

        var probabilities = sample.Probabilities;
        int tiny = 0;
        for (int s = 0; s < data.Count; s++)
            if (probabilities[s * 10 + data.Labels[s]] < 1e-12f) tiny++;
        Assert.True(tiny > 0, "the test needs samples whose label has a probability below 1e-12");

        Assert.Equal(metrics.Loss, fromTrainer.Loss, 9);
        Assert.Equal(metrics.Loss, sample.Loss, 9);
        Assert.Equal(metrics.Accuracy, fromTrainer.Accuracy);
        Assert.Equal(metrics.Accuracy, sample.Accuracy);
    }
}

using System;
using System.IO;
using System.Linq;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// A NaN or infinite loss (or weights) stops training with a message that names the epoch and batch and suggests
/// a lower learning rate, and the last good checkpoint and best model stay on disk byte for byte.
/// </summary>
public sealed class TrainingReliabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnngen-diverge-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private TrainerOptions Options(int epochs, LearningRateSchedule? schedule = null) => new()
    {
        Epochs = epochs, BatchSize = 32, Seed = 9, Threads = 1, Lanes = 1, Schedule = schedule,
        CheckpointPath = Path.Combine(_directory, "run.ckpt"), BestModelPath = Path.Combine(_directory, "best.model"),
    };

    /// <summary>Trains one good epoch and returns the bytes of its checkpoint and best model.</summary>
    private (byte[] Checkpoint, byte[] Best) OneGoodEpoch()
    {
        using var trainer = new Trainer(SyntheticRun.Net(), new Sgd(0.01f), Options(1));
        trainer.Fit(SyntheticRun.Data());
        return (File.ReadAllBytes(Path.Combine(_directory, "run.ckpt")), File.ReadAllBytes(Path.Combine(_directory, "best.model")));
    }

    [Fact]
    public void A_non_finite_loss_names_the_batch_suggests_a_lower_rate_and_keeps_the_last_checkpoint()
    {
        var (checkpoint, best) = OneGoodEpoch();
        var optimizer = new Sgd(0.01f);
        using var trainer = new Trainer(SyntheticRun.Net(seed: 5), optimizer, Options(3));
        trainer.LoadCheckpoint(Path.Combine(_directory, "run.ckpt"));
        optimizer.LearningRate = 1e38f;
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(SyntheticRun.Data()));
        output.WriteLine(e.Message);
        Assert.Equal(2, e.Epoch);
        Assert.Contains($"epoch 2, batch {e.Batch}", e.Message);
        Assert.Contains("lower learning rate", e.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(_directory, "run.ckpt")));
        Assert.Equal(best, File.ReadAllBytes(Path.Combine(_directory, "best.model")));
        Assert.Equal(1, ModelFile.LoadCheckpoint(Path.Combine(_directory, "run.ckpt"), SyntheticRun.Net(), new Sgd(0.01f)).EpochsCompleted);
    }

    /// <summary>An infinite learning rate in only the last step of epoch 2: the loss of that batch is finite.</summary>
    private sealed class SpikeAt(long step) : LearningRateSchedule
    {
        public override float At(long s, long totalSteps) => s == step ? float.PositiveInfinity : 0.01f;
    }

    /// <summary>
    /// Weights that become non-finite in the last update of an epoch are not seen by any later batch's loss; before the
    /// fix the epoch's checkpoint was written with them, replacing the last good one.
    /// </summary>
    [Fact]
    public void Weights_that_blow_up_in_the_last_batch_of_an_epoch_are_not_checkpointed()
    {
        var (checkpoint, best) = OneGoodEpoch();
        int batches = (SyntheticRun.Data().Count + 31) / 32;
        using var trainer = new Trainer(SyntheticRun.Net(seed: 5), new Sgd(0.01f), Options(3, new SpikeAt(2L * batches - 1)));
        trainer.LoadCheckpoint(Path.Combine(_directory, "run.ckpt"));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(SyntheticRun.Data()));
        output.WriteLine(e.Message);
        Assert.Equal(2, e.Epoch);
        Assert.Equal(batches, e.Batch);
        Assert.Contains($"epoch 2, batch {batches}", e.Message);
        Assert.Contains("lower learning rate", e.Message);
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(_directory, "run.ckpt")));
        Assert.Equal(best, File.ReadAllBytes(Path.Combine(_directory, "best.model")));
    }
}

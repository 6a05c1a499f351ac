using System;
using CnnGen.Data;
using CnnGen.Sample.Tests.Runtime;
using CnnGen.Training;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// One fixed training run (LinearNet with dropout on synthetic 4-class images, Adam, cosine schedule, one thread,
/// one lane) that the Saver helper runs in a child process and the tests run in-process: a checkpoint from the
/// killed child, resumed here, must end bit-identical to the uninterrupted run here.
/// </summary>
internal static class SyntheticRun
{
    public const int Epochs = 40;

    public static ImageDataset Data()
    {
        const int count = 3000, side = 10, classes = 4;
        var rng = new Random(1234);
        var pixels = new byte[count * side * side];
        var labels = new byte[count];
        for (int s = 0; s < count; s++)
        {
            int label = rng.Next(classes);
            labels[s] = (byte)label;
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    // each class lights one quadrant, plus noise
                    bool lit = (y < side / 2 ? 0 : 2) + (x < side / 2 ? 0 : 1) == label;
                    pixels[s * side * side + y * side + x] = (byte)Math.Clamp((lit ? 120 : 40) + rng.Next(-60, 61), 0, 255);
                }
        }
        return new ImageDataset(pixels, labels, 1, side, side, classes, "synthetic");
    }

    public static LinearNet Net(ulong seed = 3)
    {
        var net = new LinearNet(1, 10, 10, 4, dropout: 0.1f);
        net.InitializeParameters(seed);
        return net;
    }

    public static Optimizer Optimizer() => new Adam(0.01f, weightDecay: 1e-4f);

    public static TrainerOptions Options(string checkpointPath) => new()
    {
        Epochs = Epochs, BatchSize = 32, Seed = 9, Threads = 1, Lanes = 1,
        Schedule = LearningRateSchedule.Cosine(0.01f), CheckpointPath = checkpointPath,
    };
}

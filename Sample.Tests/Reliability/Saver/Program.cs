using System;
using CnnGen.Training;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// <c>save &lt;path&gt;</c>: saves BlobNet to path forever, alternating parameter sets 0 and 1, printing
/// "begin k" and "saved k" around save k. <c>train &lt;checkpoint&gt;</c>: runs <see cref="SyntheticRun"/>, printing
/// "epoch k" after each epoch's checkpoint, then "done".
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["save", var path])
        {
            var net = new BlobNet();
            for (long k = 0; ; k++)
            {
                net.Fill((int)(k % 2));
                Console.WriteLine($"begin {k}");
                ModelFile.Save(path, net);
                Console.WriteLine($"saved {k}");
            }
        }
        if (args is ["train", var checkpoint])
        {
            var net = SyntheticRun.Net();
            using var trainer = new Trainer(net, SyntheticRun.Optimizer(), SyntheticRun.Options(checkpoint));
            trainer.EpochCompleted += r => Console.WriteLine($"epoch {r.Epoch}");
            trainer.Fit(SyntheticRun.Data());
            Console.WriteLine("done");
            return 0;
        }
        Console.Error.WriteLine("usage: save <path> | train <checkpoint>");
        return 2;
    }
}

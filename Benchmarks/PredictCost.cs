using System;
using System.Globalization;
using System.Linq;

namespace CnnGen.Benchmarks;

/// <summary>
/// <c>predict</c> mode: one-sample Predict latency of the family's nets at each lane width the single-sample kernels
/// have (4, 8, 16 adjacent positions per value), medians of 500 calls after 50 warm-up calls, several rounds. With
/// <c>--loop NET LANES SECONDS</c> it only calls Predict for that long (what perf profiles).
/// </summary>
public static class PredictCost
{
    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        if (args.Length == 4 && args[0] == "--loop") return Loop(Net(args[1]), int.Parse(args[2]), double.Parse(args[3]));
        var nets = args.Length > 0 ? args[0].Split(',').Select(Net).ToArray() : FamilyNet.All.ToArray();
        const int Rounds = 5;
        Console.WriteLine($"Predict, one sample, median µs of 500 calls (best of {Rounds} rounds); preferred lanes here {NetworkWorkspace.PreferredLanes}");
        Console.WriteLine($"{"net",-8} {"MFLOP",7} | {"Lane4",8} {"Lane8",8} {"Lane16",8} | {"Predict",8} {"GFLOP/s",8}");
        foreach (var n in nets)
        {
            var (net, image, probabilities) = Setup(n);
            double Best(Action a) => Enumerable.Range(0, Rounds).Min(_ => Timing.LatencyMicroseconds(a));
            double l4 = Best(() => Call(net, 4, image, probabilities));
            double l8 = Best(() => Call(net, 8, image, probabilities));
            double l16 = Best(() => Call(net, 16, image, probabilities));
            double def = Best(() => n.Predict(net, image, probabilities));
            Console.WriteLine($"{n.Key,-8} {n.Cost.InferFlop / 1e6,7:F2} | {l4,8:F1} {l8,8:F1} {l16,8:F1} | {def,8:F1} {n.Cost.InferFlop / def / 1e3,8:F1}");
        }
        return 0;
    }

    private static FamilyNet Net(string key) =>
        FamilyNet.All.FirstOrDefault(n => n.Key == key) ?? throw new UsageException($"Unknown net '{key}' (one of {string.Join(", ", FamilyNet.All.Select(n => n.Key))}).");

    private static (INetwork Net, float[] Image, float[] Probabilities) Setup(FamilyNet n)
    {
        var net = n.Create();
        net.InitializeParameters(1);
        var rng = new Random(1);
        var image = new float[net.InputSize];
        for (int i = 0; i < image.Length; i++) image[i] = (float)rng.NextDouble();
        return (net, image, new float[net.OutputSize]);
    }

    private static void Call(INetwork net, int lanes, float[] image, float[] p)
    {
        switch (net, lanes)
        {
            case (LeNet5 x, 4): x.Predict<Lane4>(image, p); break;
            case (LeNet5 x, 8): x.Predict<Lane8>(image, p); break;
            case (LeNet5 x, _): x.Predict<Lane16>(image, p); break;
            case (TwoConvNet x, 4): x.Predict<Lane4>(image, p); break;
            case (TwoConvNet x, 8): x.Predict<Lane8>(image, p); break;
            case (TwoConvNet x, _): x.Predict<Lane16>(image, p); break;
            case (VggNet x, 4): x.Predict<Lane4>(image, p); break;
            case (VggNet x, 8): x.Predict<Lane8>(image, p); break;
            case (VggNet x, _): x.Predict<Lane16>(image, p); break;
            case (ResNet x, 4): x.Predict<Lane4>(image, p); break;
            case (ResNet x, 8): x.Predict<Lane8>(image, p); break;
            case (ResNet x, _): x.Predict<Lane16>(image, p); break;
            default: throw new InvalidOperationException(net.Name);
        }
    }

    private static int Loop(FamilyNet n, int lanes, double seconds)
    {
        var (net, image, probabilities) = Setup(n);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 100; i++) Call(net, lanes, image, probabilities);
            calls += 100;
        }
        Console.WriteLine($"{n.Key} Lane{lanes}: {calls:N0} calls, {clock.Elapsed.TotalMicroseconds / calls:F1} µs each");
        return 0;
    }
}

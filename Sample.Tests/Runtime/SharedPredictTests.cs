using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using CnnGen.Sample.Mnist;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>
/// One trained model shared by many threads: <c>Predict</c> keeps its scratch per thread, so 8 threads x 100,000
/// predictions on one LeNet-5 instance give, bit for bit, what one thread gives for the same images.
/// </summary>
public sealed class SharedPredictTests(ITestOutputHelper output)
{
    [Fact]
    public void Eight_threads_share_one_model_and_every_prediction_equals_the_single_threaded_one()
    {
        const int Images = 1000, Threads = 8, PerThread = 100_000, Classes = 10;
        var net = new LeNet5();
        net.InitializeParameters(17);
        var data = SyntheticData.Make(Images, Classes, 28, 28, seed: 5, "shared");
        var images = new float[Images][];
        for (int i = 0; i < Images; i++) images[i] = [.. data.Pixels(i).ToArray().Select(b => (b / 255f - 0.1307f) / 0.3081f)];

        // the reference, on this thread
        var expected = new float[Images * Classes];
        for (int i = 0; i < Images; i++) net.Predict(images[i], expected.AsSpan(i * Classes, Classes));

        var clock = Stopwatch.StartNew();
        var mismatches = new int[Threads];
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            Span<float> p = stackalloc float[Classes];
            for (int k = 0; k < PerThread; k++)
            {
                int i = (k * 7 + t * 131) % Images;
                net.Predict(images[i], p);
                for (int c = 0; c < Classes; c++)
                    if (BitConverter.SingleToInt32Bits(p[c]) != BitConverter.SingleToInt32Bits(expected[i * Classes + c])) { mismatches[t]++; break; }
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        double seconds = clock.Elapsed.TotalSeconds;

        // one thread alone, for the scaling figure
        clock.Restart();
        Span<float> q = stackalloc float[Classes];
        for (int k = 0; k < PerThread / 4; k++) net.Predict(images[k % Images], q);
        double single = PerThread / 4 / clock.Elapsed.TotalSeconds;
        double shared = Threads * PerThread / seconds;
        output.WriteLine($"{Threads} threads x {PerThread:N0} predictions on one model: {shared:N0}/s on {Environment.ProcessorCount} cores " +
                         $"({seconds:F1} s); one thread: {single:N0}/s; ratio {shared / single:F2}");
        Assert.All(mismatches, m => Assert.Equal(0, m));
    }
}

using System;
using System.Diagnostics;
using System.IO;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Sample.Aot;

/// <summary>
/// MNIST inference with a NativeAOT-published LeNet-5: load a model file, classify the test digits
/// (and "firstbatch": time to the first trained batch, for start-up measurements).
/// Only reading, no reflection: every type is known at compile time, so the app trims and publishes natively.
/// </summary>
public static class Program
{
    private const string Usage = """
        Usage:
          CnnGen.Sample.Aot [eval] [--model FILE] [--data DIR] [--limit N]
              Classify the MNIST test digits (all 10,000, or the first N) and print the accuracy.
          CnnGen.Sample.Aot torch [--data DIR] [--limit N]
              The same with PyTorch's LeNet-5 (Onnx.Tests/Fixtures/pytorch/lenet5.onnx), which the source generator
              made into C# at compile time from the ONNX file ([OnnxNetwork]), its weights compiled in: no model
              file, no ONNX runtime.
          CnnGen.Sample.Aot first [--model FILE] [--data DIR]
              Load the model, classify test digit 0, print it and exit (for start-up timing).
          CnnGen.Sample.Aot firstbatch
              Train one batch of 64 synthetic digits right after start-up (1 thread) and print
              "FIRSTBATCH <ms since process start> <ms since Main> <lanes>" (the start-up figure of 'Benchmarks compare').
          CnnGen.Sample.Aot train --out FILE [--data DIR] [--epochs N] [--limit N] [--seed S]
              Train a model on the MNIST training digits (a helper: run it under the JIT, 'dotnet run').

        --model  default out/lenet5.model (what 'Sample.Mnist train' writes)
        --data   directory with t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (and train-* for 'train'),
                 raw or .gz; default $CNNGEN_MNIST_DIR, then ~/.cache/cnngen/mnist
        """;

    /// <summary>The digits' normalization, as in Sample.Mnist (a model only works with the inputs it was trained on).</summary>
    private static PixelNormalization Normalization => PixelNormalization.Mnist;

    public static int Main(string[] args)
    {
        long mainEntered = Stopwatch.GetTimestamp();
        if (args is ["firstbatch"]) return CnnGen.Benchmarks.FirstBatchChild.Run(new LeNet5(), mainEntered);
        try
        {
            var options = Options.Parse(args);
            return options.Command switch
            {
                "eval" => Eval(options),
                "torch" => Torch(options),
                "first" => First(options),
                "train" => Train(options),
                "help" => Help(),
                _ => throw new UsageException($"unknown command '{options.Command}'"),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is ModelFileException or IdxFormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    /// <summary>Loads the model and the test digits, classifies them in batches and prints the accuracy.</summary>
    private static int Eval(Options o)
    {
        var clock = Stopwatch.StartNew();
        var net = new LeNet5();
        ModelFile.Load(o.Model, net);
        return Evaluate(net, o, $"{o.Model} ({LeNet5.ParameterCount:N0} parameters)", clock);
    }

    /// <summary>Classifies the test digits with PyTorch's LeNet-5, generated from its ONNX file with the weights compiled in.</summary>
    private static int Torch(Options o) =>
        Evaluate(new TorchLeNet5(), o, $"{TorchLeNet5.OnnxModel} ({TorchLeNet5.ParameterCount:N0} parameters, compiled in by [OnnxNetwork])", Stopwatch.StartNew());

    private static int Evaluate(INetwork net, Options o, string model, Stopwatch clock)
    {
        ImageDataset test = LoadTest(o.DataDirectory);
        if (o.Limit is int limit) test = test.Take(limit);
        double loadMs = clock.Elapsed.TotalMilliseconds;

        clock.Restart();
        EvaluationResult result = Metrics.Evaluate(net, test, Normalization);
        double evalMs = clock.Elapsed.TotalMilliseconds;

        int correct = (int)Math.Round(result.Accuracy * result.Count);
        Console.WriteLine($"model     {model}");
        Console.WriteLine($"data      {test.Name}: {test.Count:N0} digits, loaded with the model in {loadMs:F1} ms");
        Console.WriteLine($"accuracy  {result.Accuracy * 100:F2}% ({correct}/{result.Count}), loss {result.Loss:F4}");
        Console.WriteLine($"inference {evalMs:F1} ms ({result.Count / clock.Elapsed.TotalSeconds:N0} digits/s, lanes {NetworkWorkspace.PreferredLanes})");
        return 0;
    }

    /// <summary>Loads the model and the test digits and classifies the first one: the time to first prediction.</summary>
    private static int First(Options o)
    {
        var clock = Stopwatch.StartNew();
        var net = new LeNet5();
        ModelFile.Load(o.Model, net);
        double modelMs = clock.Elapsed.TotalMilliseconds;
        ImageDataset test = LoadTest(o.DataDirectory);
        double dataMs = clock.Elapsed.TotalMilliseconds - modelMs;

        // Normalize digit 0 into the (1,28,28) input Predict takes.
        clock.Restart();
        Span<float> image = stackalloc float[LeNet5.InputSize];
        ReadOnlySpan<byte> pixels = test.Pixels(0);
        for (int i = 0; i < image.Length; i++) image[i] = Normalization.Apply(pixels[i]);
        int digit = net.Classify(image);
        double classifyMs = clock.Elapsed.TotalMilliseconds;

        double sinceStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        Console.WriteLine($"first prediction: {digit} (label {test.Label(0)}); model {modelMs:F1} ms, test file {dataMs:F1} ms, " +
                          $"classify {classifyMs:F2} ms; {sinceStart:F0} ms after process start");
        return 0;
    }

    /// <summary>Trains LeNet-5 on the training digits with Adam and saves the model (the JIT helper that makes a model file).</summary>
    private static int Train(Options o)
    {
        if (o.Output is null) throw new UsageException("'train' needs --out FILE");
        string dir = o.DataDirectory;
        ImageDataset train = ImageDataset.FromIdx(Find(dir, "train-images-idx3-ubyte"), Find(dir, "train-labels-idx1-ubyte"), LeNet5.OutputSize);
        if (o.Limit is int limit) train = train.Take(limit);

        var net = new LeNet5();
        net.InitializeParameters(o.Seed);
        var options = new TrainerOptions
        {
            Epochs = o.Epochs,
            BatchSize = 64,
            Seed = o.Seed,
            Threads = Math.Max(1, Math.Min(Environment.ProcessorCount, 2)),
            Normalization = Normalization,
        };
        using var trainer = new Trainer(net, new Adam(1e-3f), options);
        trainer.EpochCompleted += r =>
            Console.WriteLine($"epoch {r.Epoch}/{r.Epochs}: loss {r.TrainLoss:F4}, train accuracy {r.TrainAccuracy * 100:F2}%, {r.SamplesPerSecond:N0} digits/s");
        trainer.Fit(train);

        string? parent = Path.GetDirectoryName(Path.GetFullPath(o.Output));
        if (parent is not null) Directory.CreateDirectory(parent);
        ModelFile.Save(o.Output, net);
        Console.WriteLine($"saved {o.Output}");
        return 0;
    }

    private static ImageDataset LoadTest(string dir) =>
        ImageDataset.FromIdx(Find(dir, "t10k-images-idx3-ubyte"), Find(dir, "t10k-labels-idx1-ubyte"), LeNet5.OutputSize);

    /// <summary>The raw file, else its .gz; a missing file is a one-line error naming the directory.</summary>
    private static string Find(string dir, string name)
    {
        string raw = Path.Combine(dir, name);
        if (File.Exists(raw)) return raw;
        if (File.Exists(raw + ".gz")) return raw + ".gz";
        throw new IOException($"MNIST file '{name}' (or '{name}.gz') not found in '{dir}'. Pass --data DIR or set CNNGEN_MNIST_DIR " +
                              "('dotnet run -c Release --project Sample.Mnist' fetches MNIST into ~/.cache/cnngen/mnist).");
    }

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>The command line: a command word, then --name value pairs.</summary>
    private sealed class Options
    {
        public string Command { get; private set; } = "eval";
        public string Model { get; private set; } = Path.Combine("out", "lenet5.model");
        public string DataDirectory { get; private set; } = DefaultDataDirectory();
        public string? Output { get; private set; }
        public int? Limit { get; private set; }
        public int Epochs { get; private set; } = 1;
        public ulong Seed { get; private set; } = 1;

        public static Options Parse(string[] args)
        {
            var o = new Options();
            int i = 0;
            if (args.Length > 0 && !args[0].StartsWith('-')) o.Command = args[i++];
            for (; i < args.Length; i++)
            {
                string name = args[i];
                if (name is "-h" or "--help") { o.Command = "help"; continue; }
                if (i + 1 >= args.Length) throw new UsageException($"option '{name}' needs a value");
                string value = args[++i];
                switch (name)
                {
                    case "--model": o.Model = value; break;
                    case "--data": o.DataDirectory = value; break;
                    case "--out": o.Output = value; break;
                    case "--limit": o.Limit = PositiveInt(name, value); break;
                    case "--epochs": o.Epochs = PositiveInt(name, value); break;
                    case "--seed":
                        o.Seed = ulong.TryParse(value, out ulong seed) ? seed : throw new UsageException($"--seed takes a whole number, not '{value}'");
                        break;
                    default: throw new UsageException($"unknown option '{name}'");
                }
            }
            return o;
        }

        private static int PositiveInt(string name, string value) =>
            int.TryParse(value, out int n) && n > 0 ? n : throw new UsageException($"{name} takes a positive whole number, not '{value}'");

        private static string DefaultDataDirectory()
        {
            string? env = Environment.GetEnvironmentVariable("CNNGEN_MNIST_DIR");
            if (!string.IsNullOrEmpty(env)) return env;
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cnngen", "mnist");
        }
    }
}

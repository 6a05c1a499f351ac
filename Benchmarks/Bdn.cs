using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CnnGen.Data;
using CnnGen.Training;

namespace CnnGen.Benchmarks;

/// <summary>The <c>bdn</c> mode: BenchmarkDotNet over the generated LeNet-5's entry points, in process.</summary>
public static class Bdn
{
    public static int Run(string[] args)
    {
        // In-process: no second build of this project (and of the generator) per benchmark; the kernels are
        // AggressiveOptimization, so tiering does not change what is measured.
        // --quick: BenchmarkDotNet's short run (3 iterations) instead of the default statistics (several minutes).
        bool quick = args.Contains("--quick");
        args = args.Where(a => a != "--quick").ToArray();
        var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job.AsDefault())
            .WithOptions(ConfigOptions.JoinSummary);
        if (args.Length == 0) args = ["--filter", "*"];
        var summaries = BenchmarkSwitcher.FromTypes([typeof(TrainStepBenchmarks), typeof(InferenceBenchmarks), typeof(OptimizerBenchmarks)]).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }

    /// <summary>Packed inputs and labels for the first <paramref name="count"/> samples of the synthetic set.</summary>
    internal static (float[] Input, int[] Labels) Batch(int count, int lanes)
    {
        var data = BenchData.Synthetic(count, 1);
        var input = new float[LaneLayout.Length(count, data.SampleSize, lanes)];
        var labels = new int[count];
        data.PackBatch(Enumerable.Range(0, count).ToArray(), lanes, PixelNormalization.Scale01, input, labels);
        return (input, labels);
    }
}

/// <summary>One forward + backward over a batch of 64 (no optimizer), one thread, per lane width.</summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private readonly LeNet5 _net = new();
    private NetworkWorkspace _workspace = null!;
    private float[] _input = [], _gradients = [];
    private int[] _labels = [];

    [Params(16, 8, 1)]
    public int Lanes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _net.InitializeParameters(1);
        _workspace = _net.CreateWorkspace(Lanes, 64);
        (_input, _labels) = Bdn.Batch(64, Lanes);
        _gradients = new float[LeNet5.ParameterCount];
    }

    /// <summary>TrainStep accumulates into the gradients; they are not cleared, which does not change the work.</summary>
    [Benchmark(OperationsPerInvoke = 64, Description = "TrainStep, batch 64 (per sample)")]
    public double TrainStep() => _net.TrainStep(_workspace, _input, _labels, 64, 1f / 64, _gradients, 0).LossSum;
}

/// <summary>Inference: a batch of 1000 at the preferred lane width, and one sample through Predict.</summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private readonly LeNet5 _net = new();
    private NetworkWorkspace _workspace = null!;
    private float[] _input = [], _probabilities = [], _image = [], _single = new float[10];

    [GlobalSetup]
    public void Setup()
    {
        _net.InitializeParameters(1);
        int lanes = NetworkWorkspace.PreferredLanes;
        _workspace = _net.CreateWorkspace(lanes, 1000);
        (_input, _) = Bdn.Batch(1000, lanes);
        _probabilities = new float[1000 * LeNet5.OutputSize];
        (_image, _) = Bdn.Batch(1, 1);
        _net.Predict(_image, _single);
    }

    [Benchmark(Description = "Infer, batch 1000")]
    public void Infer() => _net.Infer(_workspace, _input, 1000, _probabilities);

    [Benchmark(Description = "Predict, 1 sample")]
    public float Predict()
    {
        _net.Predict(_image, _single);
        return _single[0];
    }
}

/// <summary>One SGD (momentum 0.9) step over LeNet-5's 61,706 parameters, single-threaded.</summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    private float[] _parameters = [], _gradients = [];
    private Sgd _sgd = null!;

    [GlobalSetup]
    public void Setup()
    {
        int n = (int)LeNetCost.ParameterCount;
        var rng = new Random(1);
        _parameters = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        _gradients = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5) * 1e-3f).ToArray();
        _sgd = new Sgd(0.05f, 0.9f);
    }

    [Benchmark(Description = "SGD momentum step, 61,706 parameters")]
    public void SgdStep() => _sgd.Step(_parameters, _gradients);
}

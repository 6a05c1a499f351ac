using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CnnGen.Benchmarks.Generator;

/// <summary>
/// Entry point.
///   compile [N]           emits the LeNet-5 project without and with its generated file, warm, N times each (default 15)
///   check                 runs the edits with step tracking and prints each step's reasons (fails on a cache miss)
///   [--dry|--quick] [BenchmarkDotNet options]
///                         the generator benchmarks, in process; --dry: one invocation each (does it run?),
///                         --quick: BenchmarkDotNet's short run; neither: its default statistics (take figures so)
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compile")
        {
            CompileCost.Run(args.Length > 1 ? int.Parse(args[1]) : 15);
            return 0;
        }
        if (args.Length > 0 && args[0] == "check")
        {
            CacheCheck.Run(print: true);
            Console.WriteLine("cache check: ok");
            return 0;
        }
        bool dry = args.Contains("--dry"), quick = args.Contains("--quick");
        args = args.Where(a => a is not ("--dry" or "--quick")).ToArray();
        // In process: no second build of this project per benchmark.
        var job = (dry ? Job.Dry : quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job.AsDefault()).WithOptions(ConfigOptions.JoinSummary);
        if (args.Length == 0) args = ["--filter", "*"];
        var summaries = BenchmarkSwitcher.FromTypes([typeof(GeneratorBenchmarks)]).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}

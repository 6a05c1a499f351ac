using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CnnGen.Benchmarks;

/// <summary>
/// Time from process start to the first trained batch: the parent launches a child that builds LeNet-5, makes 64
/// synthetic samples and trains one batch of 64 through the Runtime Trainer (<see cref="FirstBatchChild"/>).
/// The child is this program in <c>firstbatch</c> mode (JIT), or Sample.Aot published with NativeAOT, whose
/// <c>firstbatch</c> command runs the same code compiled ahead of time.
/// </summary>
public static class FirstBatch
{
    public readonly record struct Result(double LaunchMs, double SinceStartMs, double SinceMainMs, int Lanes);

    /// <summary>The JIT child: this program's <c>firstbatch [NET]</c> mode (LeNet-5, or a net of the family).</summary>
    public static int Child(string[] args)
    {
        string key = args.Length > 0 ? args[0] : "lenet5";
        var net = FamilyNet.All.FirstOrDefault(n => n.Key == key) ?? throw new UsageException($"firstbatch: unknown net '{key}'.");
        return FirstBatchChild.Run(net.Create(), Program.MainEntered);
    }

    /// <summary>Where <c>dotnet publish Sample.Aot -c Release -r RID</c> puts the native binary, if it is there.</summary>
    public static string? DefaultAotBinary()
    {
        string rid = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "linux-x64",
            Architecture.Arm64 => "linux-arm64",
            _ => "",
        };
        if (!OperatingSystem.IsLinux() || rid.Length == 0) return null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "CnnGen.sln"))) continue;
            string path = Path.Combine(dir.FullName, "Sample.Aot", "bin", "Release", "net10.0", rid, "publish", "CnnGen.Sample.Aot");
            return File.Exists(path) ? path : null;
        }
        return null;
    }

    /// <summary>The JIT side: launches this program in firstbatch mode <paramref name="runs"/> times and returns medians.</summary>
    public static Result Measure(int runs) => Measure(runs, SelfStartInfo);

    /// <summary>The JIT side for a net of the family (<c>firstbatch NET</c>), quietly: medians only.</summary>
    public static Result Measure(int runs, string net) => Measure(runs, SelfStartInfo, net, print: false);

    /// <summary>The NativeAOT side: launches <paramref name="binary"/> (Sample.Aot, published) with <c>firstbatch</c>.</summary>
    public static Result MeasureAot(int runs, string binary) => Measure(runs, () => new ProcessStartInfo(binary));

    private static Result Measure(int runs, Func<ProcessStartInfo> startInfo, string? net = null, bool print = true)
    {
        var launch = new List<double>();
        var sinceStart = new List<double>();
        var sinceMain = new List<double>();
        int lanes = 0;
        for (int i = 0; i < runs; i++)
        {
            var info = startInfo();
            info.ArgumentList.Add("firstbatch");
            if (net is not null) info.ArgumentList.Add(net);
            info.RedirectStandardOutput = true;
            info.UseShellExecute = false;
            long started = Stopwatch.GetTimestamp();
            using var p = Process.Start(info)!;
            string? line;
            double seen = double.NaN;
            string? report = null;
            while ((line = p.StandardOutput.ReadLine()) is not null)
            {
                if (line == "FIRSTBATCH_DONE") seen = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                else if (line.StartsWith("FIRSTBATCH ")) report = line;
            }
            p.WaitForExit();
            if (report is null || p.ExitCode != 0)
                throw new InvalidOperationException($"The firstbatch child {info.FileName} failed (exit {p.ExitCode}).");
            var parts = report.Split(' ');
            launch.Add(seen);
            sinceStart.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
            sinceMain.Add(double.Parse(parts[2], CultureInfo.InvariantCulture));
            lanes = parts.Length > 3 ? int.Parse(parts[3], CultureInfo.InvariantCulture) : 0;
            if (print) Console.WriteLine($"  run {i + 1}: {seen:F0} ms from launch, {sinceStart[^1]:F0} ms by the child's process start time, {sinceMain[^1]:F0} ms after Main");
        }
        return new Result(Compare.Median(launch), Compare.Median(sinceStart), Compare.Median(sinceMain), lanes);
    }

    /// <summary>How to start this program again: the apphost directly, or "dotnet CnnGen.Benchmarks.dll".</summary>
    public static ProcessStartInfo SelfStartInfo()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's executable.");
        var info = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        return info;
    }
}

using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>Builds the Saver helper (Reliability/Saver) once per test run, against the Runtime the tests use.</summary>
public sealed class SaverBuild : IDisposable
{
    public SaverBuild()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Sample.Tests", "Reliability", "Saver", "Saver.csproj")))
            dir = Path.GetDirectoryName(dir);
        Assert.True(dir is not null, "Sample.Tests/Reliability/Saver/Saver.csproj not found above " + AppContext.BaseDirectory);
        Output = Directory.CreateTempSubdirectory("cnngen-saver-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "build", Path.Combine(dir, "Sample.Tests", "Reliability", "Saver", "Saver.csproj"), "-c", "Release", "-o", Output,
                     "-p:RuntimeDll=" + typeof(ModelFile).Assembly.Location, "--disable-build-servers", "-nologo", "-v", "q",
                 })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), "building the Saver helper timed out");
        Assert.True(process.ExitCode == 0, $"building the Saver helper failed:\n{stdout.Result}\n{stderr}");
        Dll = Path.Combine(Output, "CnnGen.Reliability.Saver.dll");
    }

    public string Output { get; }
    public string Dll { get; }

    public void Dispose()
    {
        try { Directory.Delete(Output, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// Model files and checkpoints under SIGKILL: a child process saves (or trains with checkpoints) in a loop and is
/// killed at random moments; the file on disk must always be a complete old or new file, and a killed training run
/// resumed from its checkpoint must end bit-identical to the uninterrupted run.
/// </summary>
public sealed class KillTests(SaverBuild saver, ITestOutputHelper output) : IClassFixture<SaverBuild>, IDisposable
{
    public const int SaveKills = 60, TrainKills = 16;
    private readonly string _directory = Directory.CreateTempSubdirectory("cnngen-kill-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>A running helper whose stdout lines are collected as they arrive.</summary>
    private sealed class Child : IDisposable
    {
        public readonly Process Process;
        public readonly ConcurrentQueue<string> Lines = new();
        public readonly SemaphoreSlim LineArrived = new(0);

        public Child(string dll, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(dll);
            foreach (var a in args) start.ArgumentList.Add(a);
            Process = new Process { StartInfo = start };
            Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                Lines.Enqueue(e.Data);
                LineArrived.Release();
            };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Lines.Enqueue("stderr: " + e.Data); };
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        /// <summary>Waits until a line satisfying <paramref name="match"/> has arrived.</summary>
        public void WaitFor(Func<string, bool> match, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!Lines.Any(match))
            {
                if (Process.HasExited && !Lines.Any(match))
                {
                    Process.WaitForExit();
                    if (!Lines.Any(match)) Assert.Fail("The helper exited early:\n" + string.Join("\n", Lines));
                }
                if (clock.Elapsed > timeout) Assert.Fail("Timed out waiting for the helper:\n" + string.Join("\n", Lines.TakeLast(5)));
                LineArrived.Wait(50);
            }
        }

        public void Kill()
        {
            Process.Kill(entireProcessTree: true); // SIGKILL
            Process.WaitForExit();
        }

        public void Dispose()
        {
            if (!Process.HasExited) Kill();
            Process.Dispose();
        }
    }

    [Fact]
    public void A_model_file_killed_during_saves_is_the_old_or_the_new_complete_file()
    {
        var clock = Stopwatch.StartNew();
        string path = Path.Combine(_directory, "blob.model");
        var rng = new Random(20240611);
        int midSave = 0, set0 = 0, set1 = 0;
        for (int kill = 0; kill < SaveKills; kill++)
        {
            using (var child = new Child(saver.Dll, "save", path))
            {
                child.WaitFor(l => l.StartsWith("saved ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
                Thread.Sleep(rng.Next(0, 120));
                child.Kill();
                if (child.Lines.LastOrDefault(l => !l.StartsWith("stderr", StringComparison.Ordinal))?.StartsWith("begin", StringComparison.Ordinal) == true) midSave++;
            }
            var net = new BlobNet();
            var info = ModelFile.Load(path, net); // throws if partial or corrupt
            Assert.False(info.IsCheckpoint);
            int set = net.WhichSet();
            Assert.True(set >= 0, $"kill {kill}: the file loads but holds neither parameter set");
            if (set == 0) set0++; else set1++;
        }
        int temps = Directory.GetFiles(_directory, ".blob.model.*.tmp").Length;
        output.WriteLine($"model file under kill: {SaveKills} SIGKILLs of a process saving a {new FileInfo(path).Length:N0}-byte model in a loop; " +
                         $"every time the file loaded complete (set A {set0}x, set B {set1}x); {midSave} kills seen mid-save by the last stdout line; " +
                         $"{temps} orphaned temporary file(s) left beside it; {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void A_killed_training_run_resumes_exactly_from_its_last_checkpoint()
    {
        var clock = Stopwatch.StartNew();
        var data = SyntheticRun.Data();
        string referenceCheckpoint = Path.Combine(_directory, "reference.ckpt");
        var reference = SyntheticRun.Net();
        using (var trainer = new Trainer(reference, SyntheticRun.Optimizer(), SyntheticRun.Options(referenceCheckpoint)))
            trainer.Fit(data);

        var rng = new Random(77);
        int resumed = 0;
        var epochsAtKill = new System.Collections.Generic.List<int>();
        for (int kill = 0; kill < TrainKills; kill++)
        {
            string dir = Path.Combine(_directory, "run" + kill);
            Directory.CreateDirectory(dir);
            string checkpoint = Path.Combine(dir, "run.ckpt");
            int target = rng.Next(1, SyntheticRun.Epochs - 1);
            int lastSeen;
            using (var child = new Child(saver.Dll, "train", checkpoint))
            {
                child.WaitFor(l => l == $"epoch {target}", TimeSpan.FromSeconds(120));
                Thread.Sleep(rng.Next(0, 4));
                child.Kill();
                lastSeen = child.Lines.Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).Select(l => int.Parse(l[6..])).Max();
            }
            var net = SyntheticRun.Net(seed: 999); // other initial weights: the checkpoint must override them
            using var trainer = new Trainer(net, SyntheticRun.Optimizer(), SyntheticRun.Options(checkpoint));
            trainer.LoadCheckpoint(checkpoint);
            int at = trainer.Progress.EpochsCompleted;
            Assert.True(at >= lastSeen, $"the checkpoint is at epoch {at} but the child had reported epoch {lastSeen}");
            epochsAtKill.Add(at);
            var result = trainer.Fit(data);
            Assert.Equal(SyntheticRun.Epochs, result.Progress.EpochsCompleted);
            Assert.True(reference.Parameters.SequenceEqual(net.Parameters), $"kill {kill} (checkpoint at epoch {at}): resumed weights differ from the uninterrupted run");
            Assert.True(reference.State.SequenceEqual(net.State), $"kill {kill}: resumed state differs");
            resumed++;
        }
        output.WriteLine($"training under kill: {TrainKills} SIGKILLs of a training child at random epochs ({string.Join(", ", epochsAtKill)}); " +
                         $"{resumed} resumed from the checkpoint and ended bit-identical to the uninterrupted run; {clock.Elapsed.TotalSeconds:F1} s");
    }
}

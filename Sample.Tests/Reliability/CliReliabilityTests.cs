using System;
using System.Diagnostics;
using System.IO;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Tests.Mnist;
using CnnGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// User mistakes and hostile environments at the command line: one "error:" line on stderr, a non-zero exit code,
/// never a stack trace. Runs in the MNIST collection (it trains tiny models) so it never competes with the big runs.
/// </summary>
[Collection(MnistTrainingCollection.Name)]
public sealed class CliReliabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cnngen-cli-rel-").FullName;

    public void Dispose()
    {
        foreach (var d in Directory.GetDirectories(_directory)) TryChmod(d, "755");
        try { Directory.Delete(_directory, recursive: true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static CliTests.Run Invoke(params string[] args) => CliTests.Invoke(args);

    private void AssertCleanError(CliTests.Run run, int code, params string[] expected)
    {
        output.WriteLine($"exit {run.ExitCode}: {run.Error.Trim()}");
        Assert.Equal(code, run.ExitCode);
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        foreach (var text in expected) Assert.Contains(text, lines[0]);
        Assert.DoesNotContain("   at ", run.Error + run.Out);
        Assert.DoesNotContain("unexpected", run.Error);
    }

    /// <summary>A tiny training run's arguments (a few seconds).</summary>
    private static string[] Tiny(string outputDir, params string[] more) =>
        ["train", "--epochs", "1", "--train-limit", "256", "--test-limit", "64", "--threads", "1", "--no-plots", "--output", outputDir, .. more];

    [Theory]
    [InlineData("--epochs", "abc")]
    [InlineData("--epochs", "0")]
    [InlineData("--epochs", "-1")]
    [InlineData("--epochs", "99999999999")]
    [InlineData("--epochs")]
    [InlineData("--batch-size", "0")]
    [InlineData("--lr", "-0.1")]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "NaN")]
    [InlineData("--lr", "Infinity")]
    [InlineData("--weight-decay", "-1")]
    [InlineData("--optimizer", "rmsprop")]
    [InlineData("--schedule", "linear")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "100000")]
    [InlineData("--seed", "-1")]
    [InlineData("--train-limit", "0")]
    [InlineData("--no-such-option")]
    [InlineData("fit")]
    [InlineData("eval", "--model")]
    [InlineData("predict", "--index", "x")]
    [InlineData("train", "--epochs", "1", "extra")]
    public void Wrong_options_give_one_error_line_and_exit_code_2(params string[] args) =>
        AssertCleanError(Invoke(args), App.UsageError);

    [Fact]
    public void Missing_empty_foreign_and_mismatched_model_files_are_one_clear_error()
    {
        string missing = Path.Combine(_directory, "none.model");
        AssertCleanError(Invoke("eval", "--model", missing, "--test-limit", "10"), App.Failed, missing);
        AssertCleanError(Invoke("predict", "--model", missing, "--index", "0"), App.Failed, missing);
        string empty = Path.Combine(_directory, "empty.model");
        File.WriteAllBytes(empty, []);
        AssertCleanError(Invoke("eval", "--model", empty, "--test-limit", "10"), App.Failed, "not a CnnGen model file");
        AssertCleanError(Invoke("eval", "--model", _directory, "--test-limit", "10"), App.Failed, _directory);
        string other = Path.Combine(_directory, "blob.model");
        ModelFile.Save(other, new BlobNet(100));
        AssertCleanError(Invoke("eval", "--model", other, "--test-limit", "10"), App.Failed, "fingerprint");
        AssertCleanError(Invoke("eval", "--model", "/dev/null", "--test-limit", "10"), App.Failed, "not a CnnGen model file");
    }

    [Fact]
    public void Missing_or_damaged_data_is_one_clear_error()
    {
        AssertCleanError(Invoke(Tiny(Path.Combine(_directory, "o1"), "--data", Path.Combine(_directory, "nowhere"))), App.Failed, "nowhere");
        string empty = Directory.CreateDirectory(Path.Combine(_directory, "empty-data")).FullName;
        AssertCleanError(Invoke(Tiny(Path.Combine(_directory, "o2"), "--data", empty)), App.Failed);
        // the real files, one of them truncated
        string damaged = Directory.CreateDirectory(Path.Combine(_directory, "damaged-data")).FullName;
        var location = RealMnist.Location;
        foreach (var source in new[] { location.TrainImages, location.TrainLabels, location.TestImages })
            File.Copy(source, Path.Combine(damaged, Path.GetFileName(source)));
        byte[] labels = File.ReadAllBytes(location.TestLabels);
        File.WriteAllBytes(Path.Combine(damaged, Path.GetFileName(location.TestLabels)), labels[..5000]);
        AssertCleanError(Invoke(Tiny(Path.Combine(_directory, "o3"), "--data", damaged)), App.Failed, "t10k-labels");
    }

    /// <summary>A --data directory whose MNIST files are symbolic links is accepted (the links' targets are checked).</summary>
    [Fact]
    public void A_data_directory_of_symbolic_links_is_accepted()
    {
        string linked = Directory.CreateDirectory(Path.Combine(_directory, "linked-data")).FullName;
        var location = RealMnist.Location;
        foreach (var source in new[] { location.TrainImages, location.TrainLabels, location.TestImages, location.TestLabels })
            File.CreateSymbolicLink(Path.Combine(linked, Path.GetFileName(source)), source);
        var run = Invoke(Tiny(Path.Combine(_directory, "o4"), "--data", linked));
        Assert.True(run.ExitCode == App.Ok, run.Error);
    }

    /// <summary>
    /// chmod 000 on the output directory. As root (CI containers) permissions are not enforced, so the run may
    /// succeed; then this checks only that nothing crashes, and says so in the output.
    /// </summary>
    [Fact]
    public void An_unwritable_output_directory_is_one_clear_error_where_permissions_are_enforced()
    {
        string locked = Directory.CreateDirectory(Path.Combine(_directory, "locked")).FullName;
        Assert.True(TryChmod(locked, "000"));
        bool enforced;
        try { File.WriteAllBytes(Path.Combine(locked, "probe"), []); File.Delete(Path.Combine(locked, "probe")); enforced = false; }
        catch (UnauthorizedAccessException) { enforced = true; }
        var run = Invoke(Tiny(locked));
        if (enforced)
            AssertCleanError(run, App.Failed, "--output", locked);
        else
        {
            output.WriteLine($"permissions are not enforced for this user (root): chmod 000 did not stop writes; exit {run.ExitCode}");
            Assert.True(run.ExitCode == App.Ok || run.Error.StartsWith("error: ", StringComparison.Ordinal));
            Assert.DoesNotContain("   at ", run.Error);
        }
    }

    /// <summary>A full disk while writing history.csv: the file is a symbolic link to /dev/full (ENOSPC on write).</summary>
    [Fact]
    public void A_full_disk_while_writing_results_is_one_clear_error()
    {
        Assert.True(File.Exists("/dev/full"), "/dev/full is needed");
        string dir = Directory.CreateDirectory(Path.Combine(_directory, "full")).FullName;
        File.CreateSymbolicLink(Path.Combine(dir, "history.csv"), "/dev/full");
        AssertCleanError(Invoke(Tiny(dir)), App.Failed, "No space left on device");
    }

    /// <summary>
    /// The model file itself hits the file-size limit (ulimit -f, the process-level stand-in for a full disk, with
    /// SIGXFSZ ignored so the write fails with EFBIG): the real executable prints one error line, exits 1, keeps the
    /// previous model file and leaves no temporary file.
    /// </summary>
    [Fact]
    public async System.Threading.Tasks.Task A_model_save_that_hits_the_size_limit_keeps_the_old_model_and_is_one_clear_error()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "CnnGen.Sample.Mnist.dll");
        string dir = Directory.CreateDirectory(Path.Combine(_directory, "limited")).FullName;
        string model = Path.Combine(dir, App.ModelFileName);
        File.WriteAllText(model, "previous model");
        string args = string.Join(' ', Array.ConvertAll(Tiny(dir), a => $"'{a}'"));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"trap '' XFSZ; ulimit -f 64; exec dotnet '{dll}' {args}");
        // CoreCLR's W^X double mapping sizes a memory file past any small RLIMIT_FSIZE; without it the runtime starts
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        start.Environment["CNNGEN_MNIST_DIR"] = Path.GetDirectoryName(RealMnist.Location.TestImages);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(300_000));
        AssertCleanError(new CliTests.Run(process.ExitCode, await stdout, stderr), App.Failed, "cannot be written", "previous file");
        Assert.Equal("previous model", File.ReadAllText(model));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    /// <summary>A diverging run (absurd learning rate): one error line naming the batch, and the previous model kept.</summary>
    [Fact]
    public void A_diverging_run_names_the_batch_and_keeps_the_previous_model()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_directory, "diverge")).FullName;
        string model = Path.Combine(dir, App.ModelFileName);
        File.WriteAllText(model, "previous model");
        var run = Invoke(Tiny(dir, "--optimizer", "sgd", "--schedule", "constant", "--lr", "1e30"));
        AssertCleanError(run, App.Failed, "Training diverged", "batch", "lower learning rate");
        Assert.Equal("previous model", File.ReadAllText(model));
    }

    private static bool TryChmod(string path, string mode)
    {
        try
        {
            using var p = Process.Start("chmod", [mode, path]);
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return false; }
    }
}

using System;
using System.IO;
using CnnGen.Sample.Mnist;
using CnnGen.Sample.Mnist.Cli;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace CnnGen.Onnx.Tests;

/// <summary>The sample's <c>export --onnx</c> command.</summary>
public sealed class ExportCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cnngen-export-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private (int Code, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = App.Run(args, AppConsole.Plain(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Export_writes_an_ONNX_file_from_a_saved_model_that_ONNX_Runtime_loads()
    {
        string model = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lenet5.model");
        string onnx = Path.Combine(_dir, "out", "lenet5.onnx");
        var (code, stdout, stderr) = Run("export", "--model", model, "--onnx", onnx);
        Assert.True(code == App.Ok, stderr);
        Assert.Contains("Wrote " + onnx, stdout);
        Assert.Contains("(x/255-0.1307)/0.3081", stdout);
        using var session = new InferenceSession(onnx);
        Assert.Equal("0.1307", session.ModelMetadata.CustomMetadataMap["normalization.mean"]);
        Assert.Equal(LeNet5.Fingerprint, session.ModelMetadata.CustomMetadataMap[OnnxNames.FingerprintKey]);
        Assert.False(File.Exists(onnx + ".tmp"));
    }

    [Fact]
    public void Export_without_a_model_is_one_clear_error()
    {
        var (code, _, stderr) = Run("export", "--model", Path.Combine(_dir, "none.model"), "--onnx", Path.Combine(_dir, "x.onnx"));
        Assert.Equal(App.Failed, code);
        Assert.StartsWith("error: No model at", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }

    [Fact]
    public void Import_saves_PyTorchs_LeNet5_as_a_model_that_eval_reads()
    {
        string onnx = ImportTests.Fixture("lenet5.onnx");
        string model = Path.Combine(_dir, "torch.model");
        var (code, stdout, stderr) = Run("import", "--onnx", onnx, "--net", "lenet5", "--model", model);
        Assert.True(code == App.Ok, stderr);
        Assert.Contains("13 nodes matched LeNet5's layers, 61,706 parameters", stdout);
        Assert.Contains("(MNIST's: the ONNX file records no normalization)", stdout);
        (code, stdout, stderr) = Run("eval", "--model", model, "--test-limit", "1000", "--threads", "1");
        Assert.True(code == App.Ok, stderr);
        Assert.Contains("imported from lenet5.onnx (pytorch 1.13.0)", stdout);
    }

    [Fact]
    public void Import_reads_a_safetensors_state_dict_and_eval_reads_the_model()
    {
        string model = Path.Combine(_dir, "st.model");
        var (code, stdout, stderr) = Run("import", "--safetensors", ImportTests.Fixture("lenet5.safetensors"), "--net", "lenet5", "--model", model);
        Assert.True(code == App.Ok, stderr);
        Assert.Contains("10 tensors matched LeNet5's layers, 61,706 parameters", stdout);
        (code, stdout, stderr) = Run("eval", "--model", model, "--test-limit", "1000", "--threads", "1");
        Assert.True(code == App.Ok, stderr);
        Assert.Contains("imported from lenet5.safetensors (safetensors)", stdout);
        // into another network: one error naming the tensor, nothing written
        string wrong = Path.Combine(_dir, "st-wrong.model");
        (code, _, stderr) = Run("import", "--safetensors", ImportTests.Fixture("lenet5.safetensors"), "--net", "bnnet", "--model", wrong);
        Assert.Equal(App.Failed, code);
        Assert.StartsWith("error: safetensors file '", stderr);
        Assert.Contains("tensor '0.weight' has shape [6, 1, 5, 5]", stderr);
        Assert.False(File.Exists(wrong));
        // both or neither source
        (code, _, stderr) = Run("import", "--net", "lenet5", "--model", wrong);
        Assert.NotEqual(App.Ok, code);
        Assert.Contains("exactly one of --onnx FILE and --safetensors FILE", stderr);
    }

    [Fact]
    public void Import_into_another_network_is_one_error_naming_the_node()
    {
        string model = Path.Combine(_dir, "wrong.model");
        var (code, _, stderr) = Run("import", "--onnx", ImportTests.Fixture("lenet5.onnx"), "--net", "bnnet", "--model", model);
        Assert.Equal(App.Failed, code);
        Assert.StartsWith("error: ONNX file '", stderr);
        Assert.Contains("node '/0/0.0/Conv' (Conv, #0)", stderr);
        Assert.Equal(1, stderr.TrimEnd().Split('\n').Length);
        Assert.False(File.Exists(model));
    }
}

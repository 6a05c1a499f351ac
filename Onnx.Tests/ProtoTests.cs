using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CnnGen.Onnx.Tests;

/// <summary>The checked-in C# of Onnx/Proto/onnx.proto is what protoc (Google.Protobuf.Tools 3.36.2) makes of it now.</summary>
public sealed class ProtoTests
{
    [Fact]
    public void The_checked_in_generated_code_is_what_generate_sh_writes()
    {
        string proto = Path.Combine(RepoRoot(), "Onnx", "Proto");
        string temp = Path.Combine(Path.GetTempPath(), "cnngen-proto-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            // generate.sh into a copy, so that the checked-in file is not touched
            File.Copy(Path.Combine(proto, "onnx.proto"), Path.Combine(temp, "onnx.proto"));
            File.Copy(Path.Combine(proto, "generate.sh"), Path.Combine(temp, "generate.sh"));
            var run = Process.Start(new ProcessStartInfo("bash", [Path.Combine(temp, "generate.sh")]) { RedirectStandardError = true })!;
            string error = run.StandardError.ReadToEnd();
            run.WaitForExit();
            Assert.True(run.ExitCode == 0, "generate.sh failed: " + error);
            Assert.Equal(File.ReadAllText(Path.Combine(proto, "Generated", "Onnx.cs")), File.ReadAllText(Path.Combine(temp, "Generated", "Onnx.cs")));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CnnGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("CnnGen.sln not found above " + AppContext.BaseDirectory);
    }
}

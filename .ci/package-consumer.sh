#!/usr/bin/env bash
# Package consumer test: packs CnnGen with a unique prerelease version (so no cached package can mask a broken
# one), then in a temporary directory
#   1. checks the package: lib/, analyzers/ (the generator and its code fixes), README, MIT license, tags, no generator dependency,
#      and a .snupkg with the Runtime's symbols;
#   2. 'dotnet new console' + only the CnnGen package from the local feed (the machine's default source stays):
#      declares a small network, builds with TreatWarningsAsErrors, Nullable and AnalysisLevel latest, checks the
#      generator loaded (no CS9057/CS8032) and wrote its file (EmitCompilerGeneratedFiles), then runs 40 SGD
#      training steps on synthetic data and predictions, and checks the loss fell and the predictions;
#   3. a second project whose Conv2D kernel is larger than its input must fail to build with CNN004;
#   4. a project with PyTorch's LeNet-5 as an .onnx additional file and [OnnxNetwork]: it builds (the package's targets
#      write the model's text form, the generator loads Google.Protobuf from beside it) and gives PyTorch's probabilities
#      with the weights compiled in; a project whose [OnnxNetwork] names a file that is no additional file fails with CNN029.
# Prints "consumer: ..." result lines; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version="0.1.0-ci.$(date -u +%Y%m%d%H%M%S).$$"
feed="$root/artifacts/packages"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}/cnngen/$version"
work=$(mktemp -d)
cleanup() { rm -rf "$work" "$cache"; rm -f "$feed/CnnGen.$version.nupkg" "$feed/CnnGen.$version.snupkg"; }
trap cleanup EXIT
fail() { echo "consumer: FAILED: $*"; exit 1; }

# --- pack ------------------------------------------------------------------------------------
# From a copy of the sources, so a fresh Release build of Generator and Runtime goes into the package (no stale
# generator DLL from an earlier build, and no clash with builds running in the work tree).
mkdir -p "$work/src" "$feed"
git ls-files -z --cached --others --exclude-standard -- Directory.Build.props Generator CodeFixes Runtime Onnx/Proto Onnx/*.cs \
  | tar --null -T - -cf - | tar -xf - -C "$work/src" || fail "copying the sources"
echo "consumer: packing CnnGen $version"
dotnet pack "$work/src/Runtime/Runtime.csproj" -c Release -o "$feed" -p:Version="$version" >"$work/pack.log" 2>&1 \
  || { grep -E 'error|warning' "$work/pack.log" | sort -u | head -20; fail "dotnet pack"; }
nupkg="$feed/CnnGen.$version.nupkg"; snupkg="$feed/CnnGen.$version.snupkg"
[ -f "$nupkg" ] || fail "no $nupkg"
[ -f "$snupkg" ] || fail "no symbols package $snupkg"

# --- 1. the package's contents ---------------------------------------------------------------
python3 - "$nupkg" "$snupkg" <<'PY' || fail "package contents"
import re, sys, zipfile
nupkg, snupkg = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(nupkg)
names = set(z.namelist())
nuspec = z.read(next(n for n in names if n.endswith(".nuspec"))).decode()
problems = []
for need in ["lib/net10.0/CnnGen.Runtime.dll", "lib/net10.0/CnnGen.Runtime.xml",
             "analyzers/dotnet/cs/CnnGen.Generator.dll", "analyzers/dotnet/cs/CnnGen.CodeFixes.dll", "analyzers/dotnet/cs/Google.Protobuf.dll",
             "build/CnnGen.targets", "buildTransitive/CnnGen.targets", "README.md"]:
    if need not in names: problems.append(f"missing {need}")
analyzers = {"analyzers/dotnet/cs/CnnGen.Generator.dll", "analyzers/dotnet/cs/CnnGen.CodeFixes.dll", "analyzers/dotnet/cs/Google.Protobuf.dll"}
if any(n.startswith("analyzers/") and n not in analyzers for n in names):
    problems.append("extra files under analyzers/: " + ", ".join(sorted(n for n in names if n.startswith("analyzers/"))))
checks = {
    "license MIT": r'<license type="expression">MIT</license>',
    "readme": r"<readme>README.md</readme>",
    "tags": r"<tags>[^<]*source-generator[^<]*</tags>",
    "description": r"<description>[^<]{40,}</description>",
    "authors": r"<authors>CnnGen contributors</authors>",
}
for what, pattern in checks.items():
    if not re.search(pattern, nuspec): problems.append(f"nuspec: no {what}")
deps = re.findall(r'<dependency id="([^"]+)"', nuspec)
if any("generator" in d.lower() or d.lower() == "microsoft.codeanalysis.csharp" for d in deps):
    problems.append(f"nuspec depends on {deps}")
symbols = zipfile.ZipFile(snupkg).namelist()
if "lib/net10.0/CnnGen.Runtime.pdb" not in symbols: problems.append(f"snupkg lacks lib/net10.0/CnnGen.Runtime.pdb: {symbols}")
readme = z.read("README.md").decode()
if "CNN004" not in readme or "EmitCompilerGeneratedFiles" not in readme: problems.append("README lacks the diagnostics list or EmitCompilerGeneratedFiles")
for p in problems: print("consumer:   " + p)
print(f"consumer: package files: {len(names)}; dependencies: {deps or 'none'}")
sys.exit(1 if problems else 0)
PY
echo "consumer: package ok: $(basename "$nupkg") $(( $(stat -c %s "$nupkg") / 1024 )) KB, $(basename "$snupkg") $(( $(stat -c %s "$snupkg") / 1024 )) KB"

# --- 2. a new console project that uses only the package ------------------------------------
# nuget.config beside the projects: the local feed added, the machine's default source kept (no <clear/>).
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="cnngen-local" value="$feed" />
  </packageSources>
</configuration>
XML

new_project() { # name: dotnet new console, then warnings as errors, nullable, latest analyzers, generated files on disk
  dotnet new console -n "$1" -o "$work/$1" --framework net10.0 >"$work/new-$1.log" 2>&1 || { cat "$work/new-$1.log"; fail "dotnet new console"; }
  sed -i 's|</PropertyGroup>|  <TreatWarningsAsErrors>true</TreatWarningsAsErrors>\n    <Nullable>enable</Nullable>\n    <AnalysisLevel>latest</AnalysisLevel>\n    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>\n  </PropertyGroup>|' "$work/$1/$1.csproj"
  (cd "$work/$1" && dotnet add package CnnGen --version "$version" >"$work/add-$1.log" 2>&1) || { tail -20 "$work/add-$1.log"; fail "dotnet add package CnnGen $version"; }
}

new_project Consumer
cat >"$work/Consumer/TinyNet.cs" <<'CS'
using CnnGen;

namespace Consumer;

/// <summary>8x8 grey images, two classes: a horizontal or a vertical bar.</summary>
[Network(1, 8, 8)]
[Conv2D(4, 3), ReLU, MaxPool(2)]
[Flatten, Dense(16), ReLU, Dense(2), Softmax]
public partial class TinyNet { }
CS
cat >"$work/Consumer/Program.cs" <<'CS'
using System;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using CnnGen;
using CnnGen.Training;
using Consumer;

const int N = 32;
var random = new Random(7);
float[] samples = new float[N * TinyNet.InputSize];
int[] labels = new int[N];
for (int s = 0; s < N; s++)
{
    // Class 0: a bright row; class 1: a bright column; plus noise.
    labels[s] = s % 2;
    int line = random.Next(1, 7);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++)
        {
            bool on = labels[s] == 0 ? y == line : x == line;
            samples[s * TinyNet.InputSize + y * 8 + x] = (on ? 1f : 0f) + 0.1f * (float)random.NextDouble();
        }
}

var net = new TinyNet();
net.InitializeParameters(seed: 42);
int lanes = NetworkWorkspace.PreferredLanes;
NetworkWorkspace workspace = net.CreateWorkspace(lanes, N);
float[] input = new float[LaneLayout.Length(N, TinyNet.InputSize, lanes)];
LaneLayout.Pack(samples, N, TinyNet.InputSize, lanes, input);
float[] gradients = new float[TinyNet.ParameterCount];
var optimizer = new Sgd(learningRate: 0.1f, momentum: 0.9f);

double first = 0, last = 0;
for (int step = 0; step < 40; step++)
{
    Array.Clear(gradients);
    StepResult r = net.TrainStep(workspace, input, labels, N, 1f / N, gradients, (ulong)step);
    optimizer.Step(net.Parameters, gradients);
    double loss = r.LossSum / N;
    if (step == 0) first = loss;
    last = loss;
    if (step % 10 == 0 || step == 39) Console.WriteLine($"step {step,2}: loss {loss:F4}, {r.Correct}/{N} correct");
}

int correct = 0;
float[] p = new float[TinyNet.OutputSize];
bool probabilitiesOk = true;
for (int s = 0; s < N; s++)
{
    ReadOnlySpan<float> image = samples.AsSpan(s * TinyNet.InputSize, TinyNet.InputSize);
    net.Predict(image, p);
    probabilitiesOk &= Math.Abs(p[0] + p[1] - 1f) < 1e-4f && p[0] >= 0 && p[1] >= 0;
    int c = net.Classify(image);
    if (c is < 0 or >= TinyNet.OutputSize) { Console.WriteLine($"class {c} out of range"); return 1; }
    if (c == labels[s]) correct++;
}
Console.WriteLine($"parameters {TinyNet.ParameterCount}, lanes {lanes}, loss {first:F4} -> {last:F4}, accuracy {correct}/{N}");
Console.WriteLine(TinyNet.Summary);

// The Roslyn version the generator was built against: users need a compiler at least this new (no CS9057).
if (args.Length > 0)
{
    using var pe = new PEReader(File.OpenRead(args[0]));
    MetadataReader md = pe.GetMetadataReader();
    foreach (AssemblyReferenceHandle h in md.AssemblyReferences)
    {
        AssemblyReference a = md.GetAssemblyReference(h);
        string name = md.GetString(a.Name);
        if (name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)) Console.WriteLine($"generator references {name} {a.Version}");
    }
}

bool ok = last < 0.5 * first && correct >= N * 9 / 10 && probabilitiesOk;
Console.WriteLine(ok ? "checks: ok" : "checks: FAILED (loss must halve, accuracy >= 90%, probabilities sum to 1)");
return ok ? 0 : 1;
CS
(cd "$work/Consumer" && dotnet build -c Release >"$work/build.log" 2>&1); status=$?
if grep -qE 'CS9057|CS8032' "$work/build.log"; then grep -E 'CS9057|CS8032' "$work/build.log" | sort -u | head -3; fail "the generator did not load"; fi
[ "$status" -eq 0 ] || { grep -E 'error|warning' "$work/build.log" | sort -u | head -20; fail "consumer build (warnings as errors)"; }
echo "consumer: build ok (TreatWarningsAsErrors, Nullable enable, AnalysisLevel latest): $(grep -cE ' warning ' "$work/build.log") warnings, no CS9057"
gen=$(find "$work/Consumer/obj" -path '*generated*' -name 'Consumer.TinyNet.g.cs' | head -1)
[ -n "$gen" ] || fail "no generated Consumer.TinyNet.g.cs under obj/ (EmitCompilerGeneratedFiles)"
echo "consumer: generated file visible: ${gen#"$work/Consumer/"} ($(wc -l <"$gen") lines)"
analyzer="${NUGET_PACKAGES:-$HOME/.nuget/packages}/cnngen/$version/analyzers/dotnet/cs/CnnGen.Generator.dll"
(cd "$work/Consumer" && dotnet run -c Release --no-build -- "$analyzer") | tee "$work/run.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "consumer run"
grep -q '^checks: ok' "$work/run.log" || fail "consumer checks"
echo "consumer: train + predict ok: $(grep '^parameters' "$work/run.log")"
roslyn=$(sed -nE 's/^generator references Microsoft.CodeAnalysis ([0-9.]+)$/\1/p' "$work/run.log")
if dotnet --list-sdks | grep -q '^8\.'; then
  echo "consumer: generator built against Roslyn ${roslyn:-?}; a .NET 8 SDK is installed (the build above used $(dotnet --version))"
else
  echo "consumer: generator built against Roslyn ${roslyn:-?} (the .NET 8.0.1xx SDK ships Roslyn 4.8, so .NET 8 users get generated code, no CS9057); no .NET 8 SDK here to build with"
fi

# --- 3. a shape error fails the build with CNN004 --------------------------------------------
new_project ShapeError
cat >"$work/ShapeError/BadNet.cs" <<'CS'
using CnnGen;

namespace ShapeError;

/// <summary>A 9x9 kernel cannot fit an 8x8 input: CNN004.</summary>
[Network(1, 8, 8)]
[Conv2D(4, 9), ReLU]
[Flatten, Dense(2), Softmax]
public partial class BadNet { }
CS
(cd "$work/ShapeError" && dotnet build -c Release >"$work/bad.log" 2>&1); status=$?
[ "$status" -ne 0 ] || fail "the build with a 9x9 kernel on an 8x8 input succeeded"
grep -q 'error CNN004' "$work/bad.log" || { grep -E 'error' "$work/bad.log" | sort -u | head; fail "no error CNN004 in the failed build"; }
echo "consumer: shape error fails the build: $(grep -oE 'BadNet.cs\([0-9,]+\): error CNN004: [^[]*' "$work/bad.log" | head -1)"
# --- 4. [OnnxNetwork]: PyTorch's LeNet-5 from its ONNX file ------------------------------------
new_project OnnxConsumer
fixtures="$root/Onnx.Tests/Fixtures/pytorch"
cp "$fixtures/lenet5.onnx" "$fixtures/inputs.bin" "$fixtures/lenet5.probs.bin" "$work/OnnxConsumer/"
sed -i 's|</Project>|  <ItemGroup>\n    <AdditionalFiles Include="lenet5.onnx" />\n  </ItemGroup>\n</Project>|' "$work/OnnxConsumer/OnnxConsumer.csproj"
cat >"$work/OnnxConsumer/TorchLeNet5.cs" <<'CS'
using CnnGen;

namespace OnnxConsumer;

[OnnxNetwork("lenet5.onnx")]
public partial class TorchLeNet5 { }
CS
cat >"$work/OnnxConsumer/Program.cs" <<'CS'
using System;
using System.IO;
using OnnxConsumer;

// PyTorch's probabilities for 40 inputs (Onnx/scripts/export_pytorch.py); the network's weights are compiled in
float[] Floats(string file) { var b = File.ReadAllBytes(file); var f = new float[b.Length / 4]; Buffer.BlockCopy(b, 0, f, 0, b.Length); return f; }
float[] inputs = Floats(Path.Combine(AppContext.BaseDirectory, "inputs.bin")), expected = Floats(Path.Combine(AppContext.BaseDirectory, "lenet5.probs.bin"));
var net = new TorchLeNet5();
var p = new float[TorchLeNet5.OutputSize];
double maxdiff = 0;
int count = inputs.Length / TorchLeNet5.InputSize;
for (int s = 0; s < count; s++)
{
    net.Predict(inputs.AsSpan(s * TorchLeNet5.InputSize, TorchLeNet5.InputSize), p);
    for (int k = 0; k < p.Length; k++) maxdiff = Math.Max(maxdiff, Math.Abs(p[k] - expected[s * p.Length + k]));
}
Console.WriteLine($"{TorchLeNet5.OnnxModel}: {TorchLeNet5.ParameterCount} parameters, {count} inputs, maxdiff against PyTorch {maxdiff:E2}");
Console.WriteLine(maxdiff <= 1e-5 ? "checks: ok" : "checks: FAILED (PyTorch's probabilities within 1e-5)");
return maxdiff <= 1e-5 ? 0 : 1;
CS
sed -i 's|</Project>|  <ItemGroup>\n    <None Include="inputs.bin;lenet5.probs.bin" CopyToOutputDirectory="PreserveNewest" />\n  </ItemGroup>\n</Project>|' "$work/OnnxConsumer/OnnxConsumer.csproj"
(cd "$work/OnnxConsumer" && dotnet build -c Release >"$work/onnx-build.log" 2>&1) || { grep -E 'error|warning' "$work/onnx-build.log" | sort -u | head -20; fail "[OnnxNetwork] consumer build"; }
[ -n "$(find "$work/OnnxConsumer/obj" -name 'lenet5.*.onnx.txt' | head -1)" ] || fail "the package's targets wrote no text form of lenet5.onnx under obj/"
[ -n "$(find "$work/OnnxConsumer/obj" -path '*generated*' -name 'OnnxConsumer.TorchLeNet5.OnnxWeights.g.cs' | head -1)" ] || fail "no generated OnnxConsumer.TorchLeNet5.OnnxWeights.g.cs"
(cd "$work/OnnxConsumer" && dotnet run -c Release --no-build) | tee "$work/onnx-run.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "[OnnxNetwork] consumer run"
echo "consumer: [OnnxNetwork] ok: $(grep 'maxdiff' "$work/onnx-run.log")"

sed -i 's|\[OnnxNetwork("lenet5.onnx")\]|[OnnxNetwork("lenet6.onnx")]|' "$work/OnnxConsumer/TorchLeNet5.cs"
(cd "$work/OnnxConsumer" && dotnet build -c Release >"$work/onnx-bad.log" 2>&1); status=$?
[ "$status" -ne 0 ] || fail "the build with [OnnxNetwork(\"lenet6.onnx\")] (no such additional file) succeeded"
grep -q 'error CNN029' "$work/onnx-bad.log" || { grep -E 'error' "$work/onnx-bad.log" | sort -u | head; fail "no error CNN029 for a file that is no additional file"; }
echo "consumer: a missing model fails the build: $(grep -oE 'error CNN029: [^[]*' "$work/onnx-bad.log" | head -1)"
echo "consumer: passed"

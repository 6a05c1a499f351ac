#!/usr/bin/env bash
# What [OnnxNetwork] costs a build: two console projects that reference the generator and the Runtime as the repository's
# projects do, one with Sample.Mnist's declared LeNet5, one with PyTorch's LeNet-5 from its ONNX file
# (Onnx.Tests/Fixtures/pytorch/lenet5.onnx, 61,706 weights compiled in). For each: the wall time of
# 'dotnet build --no-restore' after touching Program.cs (the compiler runs, the text form is up to date), alternating the
# two, median of RUNS; then the ONNX project once after touching the model (its text form is written again, which
# compiles the inline task first); and the generator's own time from the compiler (-p:ReportAnalyzer=true).
#   bash Benchmarks/onnx-build-time.sh [RUNS]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_project() { # name, extra csproj items
  mkdir -p "$work/$1"
  cat >"$work/$1/$1.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/Runtime/Runtime.csproj" />
    <ProjectReference Include="$root/Generator/Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    $2
  </ItemGroup>
  <Import Project="$root/Runtime/build/CnnGen.targets" />
</Project>
XML
  echo 'System.Console.WriteLine(new Net.LeNet().Classify(new float[784]));' >"$work/$1/Program.cs"
}
make_project Declared ''
{ echo 'using CnnGen;'; sed -e 's/namespace CnnGen.Sample.Mnist;/namespace Net;/' -e 's/class LeNet5/class LeNet/' "$root/Sample.Mnist/LeNet5.cs"; } >"$work/Declared/LeNet.cs"
make_project FromOnnx "<AdditionalFiles Include=\"$root/Onnx.Tests/Fixtures/pytorch/lenet5.onnx\" />"
printf 'namespace Net;\n\n[CnnGen.OnnxNetwork("lenet5.onnx")]\npublic partial class LeNet { }\n' >"$work/FromOnnx/LeNet.cs"

for p in Declared FromOnnx; do
  dotnet build "$work/$p" -c Release >"$work/$p.log" 2>&1 || { tail -20 "$work/$p.log"; exit 1; }
done
ms() { local t0 t1; t0=$(date +%s%N); dotnet build "$1" -c Release --no-restore >/dev/null 2>&1 || return 1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
declare -a a b
for i in $(seq "$runs"); do
  touch "$work/Declared/Program.cs"; a+=("$(ms "$work/Declared")")
  touch "$work/FromOnnx/Program.cs"; b+=("$(ms "$work/FromOnnx")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "build after an edit (median of $runs, ms): declared LeNet5 $(median "${a[@]}") [${a[*]}], [OnnxNetwork] LeNet-5 $(median "${b[@]}") [${b[*]}]"
touch "$root/Onnx.Tests/Fixtures/pytorch/lenet5.onnx"
echo "[OnnxNetwork] build after touching the model (text form rewritten, inline task compiled): $(ms "$work/FromOnnx") ms"
for p in Declared FromOnnx; do
  touch "$work/$p/Program.cs"
  dotnet build "$work/$p" -c Release --no-restore -p:ReportAnalyzer=true -v:d >"$work/$p.report" 2>&1
  echo "$p: $(grep -E 'CnnGen.Generator.CnnGenerator|Total analyzer execution time|generator execution time' "$work/$p.report" | sed -E 's/^ +//' | sort -u | tr '\n' ';')"
done
wc -c "$work"/FromOnnx/obj/Release/net10.0/cnngen/*.onnx.txt | head -1

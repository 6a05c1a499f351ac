#!/usr/bin/env bash
# What a build of LeNet-5 spends in CnnGen, from the compiler's own reporting (-p:ReportAnalyzer=true):
# a library project with Sample.Mnist's LeNet-5 declaration, referencing Runtime and the generator as an analyzer,
# is rebuilt (--no-incremental, --no-dependencies: only its own Csc runs) RUNS times with the generator and RUNS
# times without it (the class alone). Per run it prints the generator's time as csc reports it and the Csc task's
# time (MSBuild's performance summary); then the medians and the difference with/without, which is the generator
# plus compiling the code it adds. Usage: Benchmarks.Generator/report-analyzer.sh [--runs N] [--keep] [--server]
# --server compiles through the compiler server (VBCSCompiler, what `dotnet build` uses unless UseSharedCompilation is
# false: warm, the generator and the compiler already JIT-compiled after the first build); without it each build
# runs a fresh csc process, so the generator's load and JIT and the compiler's own JIT count every time.
# Take figures on a quiet machine; the logs (-v:d) are kept with --keep.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=5; keep=0; shared=false
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --server) shared=true; shift ;;
    *) echo "usage: $0 [--runs N] [--keep] [--server]"; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
work=$(mktemp -d)
[ "$keep" -eq 1 ] || trap 'rm -rf "$work"' EXIT

cat >"$work/LeNet5Build.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <Optimize>true</Optimize>
    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/Runtime/Runtime.csproj" />
    <ProjectReference Include="$root/Generator/Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false"
                      Condition="'\$(CnnGenOff)' != 'true'" />
  </ItemGroup>
</Project>
XML
cat >"$work/LeNet5.cs" <<'CS'
using CnnGen;

namespace Bench;

[Network(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
[Conv2D(16, 5), ReLU, MaxPool(2)]
[Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
public partial class LeNet5 { }
CS

echo "building the references once (Generator, Runtime)"
dotnet build "$work/LeNet5Build.csproj" -c Release >"$work/first.log" 2>&1 || { tail -20 "$work/first.log"; exit 1; }

# csc's "-p:ReportAnalyzer=true" block lists each generator with its seconds; MSBuild's summary gives the Csc task.
generator_ms() { { grep -E 'CnnGen\.Generator\.CnnGenerator' "$1" || true; } | head -1 | awk '{ printf "%d", $1 * 1000 }'; }
csc_ms() { sed -n '/Task Performance Summary/,$p' "$1" | grep -E '^\s+[0-9]+ ms\s+Csc\s' | awk '{ print $1 }' | head -1; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "?"; else if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

: >"$work/with.txt"; : >"$work/without.txt"; : >"$work/gen.txt"
# Run 0 warms the compiler server (its JIT) and is not counted.
for i in $(seq 0 "$runs"); do
  for mode in with without; do
    off=$([ "$mode" = without ] && echo true || echo false)
    log="$work/$mode-$i.log"
    dotnet build "$work/LeNet5Build.csproj" -c Release --no-incremental --no-dependencies -p:CnnGenOff=$off -p:UseSharedCompilation=$shared \
      -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary >"$log" 2>&1 || { grep -E 'error' "$log" | head; exit 1; }
    c=$(csc_ms "$log"); g=$(generator_ms "$log")
    [ "$i" -eq 0 ] && { echo "warm-up ($mode CnnGen): Csc $c ms"; continue; }
    echo "$c" >>"$work/$mode.txt"
    if [ "$mode" = with ]; then echo "${g:-?}" >>"$work/gen.txt"; echo "run $i: with CnnGen: Csc $c ms, of it the generator ${g:-?} ms"
    else echo "run $i: without:     Csc $c ms"; fi
  done
done
gen=$(median <"$work/gen.txt"); with=$(median <"$work/with.txt"); without=$(median <"$work/without.txt")
lines=$(find "$work/obj" -name 'Bench.LeNet5.g.cs' -exec wc -l {} + 2>/dev/null | awk '{ print $1 }' | head -1)
echo
echo "compiler: $([ "$shared" = true ] && echo "the compiler server (warm)" || echo "a fresh csc process per build")"
echo "LeNet-5, medians of $runs: Csc $with ms with CnnGen, $without ms without: +$((with - without)) ms,"
echo "of which the generator $gen ms (csc -p:ReportAnalyzer=true) and compiling its output the rest${lines:+ ($lines generated lines)}."
echo "csc's generator report of the last run with CnnGen:"
grep -h -A3 'Total generator execution time' "$work/with-$runs.log" | head -4 || true
grep -h -E '^\s+[0-9.]+\s+\S+\s+CnnGen\.Generator' "$work/with-$runs.log" | head -2 || true
[ "$keep" -eq 1 ] && echo "logs: $work"
exit 0

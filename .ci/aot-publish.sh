#!/usr/bin/env bash
# NativeAOT check: publishes Sample.Aot (LeNet-5 MNIST inference) as a native binary and runs it.
#   1. the ILCompiler package must be served (else: "skipped", exit 0 — no fake success);
#   2. installs the native toolchain if missing (clang, zlib1g-dev);
#   3. makes a model file: 'Sample.Aot train' under the JIT (1 epoch) when MNIST is cached,
#      else 'Sample.Mnist train --epochs 1', which fetches MNIST itself;
#   4. dotnet publish -r <rid>: fails on any trim/AOT warning (TreatWarningsAsErrors);
#   5. runs the binary on the MNIST test set: accuracy (must be >= 95%), PyTorch's LeNet-5 generated from its ONNX file
#      ('torch': >= 97.5%, PyTorch's own 97.87%), binary size, and start-up time
#      (time to first prediction: load the model and the test file, classify digit 0; median of 5 runs),
#      with the same measurement under the JIT for comparison; and the time to the first trained batch
#      ('firstbatch': one batch of 64 synthetic digits through the Trainer), native and JIT.
# Prints "aot: ..." result lines; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "aot: FAILED: $*"; exit 1; }

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "aot: skipped: no NativeAOT runtime identifier for $(uname -m)"; exit 0 ;;
esac

# --- 1. the ILCompiler package ---------------------------------------------------------------
# The SDK names the version it wants; a restore for the RID asks the package source for it.
sdkdir=$(dotnet --list-sdks | awk -v v="$(dotnet --version)" '$1 == v { gsub(/[\[\]]/, "", $2); print $2 "/" v }')
ilcver=$(grep -o 'ILCompilerPackVersion="[^"]*"' "$sdkdir/Microsoft.NETCoreSdk.BundledVersions.props" 2>/dev/null | head -1 | cut -d'"' -f2)
echo "aot: SDK $(dotnet --version), runtime.$rid.Microsoft.DotNet.ILCompiler ${ilcver:-?}"
if ! dotnet restore Sample.Aot/Sample.Aot.csproj -r "$rid" >"$work/restore.log" 2>&1; then
  if grep -qiE 'NU110[0-3].*ILCompiler|ILCompiler.*NU110[0-3]' "$work/restore.log"; then
    grep -iE 'NU110[0-3]' "$work/restore.log" | head -3
    echo "aot: skipped: ILCompiler package not available (runtime.$rid.Microsoft.DotNet.ILCompiler ${ilcver:-?})"
    exit 0
  fi
  tail -20 "$work/restore.log"
  fail "dotnet restore Sample.Aot -r $rid"
fi
echo "aot: ILCompiler package restored"

# --- 2. native toolchain ---------------------------------------------------------------------
if ! command -v clang >/dev/null 2>&1 || ! [ -e /usr/include/zlib.h ]; then
  echo "aot: installing clang and zlib1g-dev"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq clang zlib1g-dev) >"$work/apt.log" 2>&1 \
    || { tail -5 "$work/apt.log"; fail "apt-get install clang zlib1g-dev"; }
fi
echo "aot: $(clang --version | head -1)"

# --- 3. a model file -------------------------------------------------------------------------
mnist=${CNNGEN_MNIST_DIR:-$HOME/.cache/cnngen/mnist}
have() { [ -e "$mnist/$1" ] || [ -e "$mnist/$1.gz" ]; }
model="$work/lenet5.model"
start=$(date +%s)
if have train-images-idx3-ubyte && have train-labels-idx1-ubyte && have t10k-images-idx3-ubyte && have t10k-labels-idx1-ubyte; then
  echo "aot: training a model for 1 epoch with 'Sample.Aot train' under the JIT (MNIST in $mnist)"
  dotnet run -c Release --project Sample.Aot -- train --data "$mnist" --out "$model" --epochs 1 2>&1 | tail -3
else
  echo "aot: MNIST not in $mnist: 'Sample.Mnist train --epochs 1' fetches it and trains the model"
  unset CNNGEN_MNIST_DIR; mnist=$HOME/.cache/cnngen/mnist
  dotnet run -c Release --project Sample.Mnist -- train --epochs 1 --no-plots --output "$work" 2>&1 | tail -3
fi
[ -s "$model" ] || fail "no model file was written"
echo "aot: model $(stat -c %s "$model") bytes, made in $(( $(date +%s) - start )) s"

# --- 4. NativeAOT publish --------------------------------------------------------------------
start=$(date +%s)
dotnet publish Sample.Aot/Sample.Aot.csproj -c Release -r "$rid" -o "$work/publish" >"$work/publish.log" 2>&1
status=$?
warnings=$(grep -oE 'warning IL[0-9]{4}[^[]*' "$work/publish.log" | sort -u)
if [ -n "$warnings" ]; then echo "$warnings"; fi
echo "aot: trim/AOT warnings: $(printf '%s' "$warnings" | grep -c . )"
if [ "$status" -ne 0 ]; then grep -E 'error|warning' "$work/publish.log" | sort -u | head -20; fail "dotnet publish -r $rid (exit $status)"; fi
bin="$work/publish/CnnGen.Sample.Aot"
[ -x "$bin" ] || fail "no native binary at $bin"
echo "aot: published in $(( $(date +%s) - start )) s"
size=$(stat -c %s "$bin")
echo "aot: binary size $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }') MB ($size bytes; ldd: $(ldd "$bin" 2>/dev/null | awk '{print $1}' | tr '\n' ' '))"

# --- 5. run it -------------------------------------------------------------------------------
"$bin" eval --model "$model" --data "$mnist" | tee "$work/eval.log" || fail "the native binary exited $?"
acc=$(sed -nE 's/^accuracy +([0-9.]+)%.*/\1/p' "$work/eval.log")
[ -n "$acc" ] || fail "no accuracy line"
echo "aot: accuracy $acc% on the MNIST test set (native binary)"
awk -v a="$acc" 'BEGIN { exit !(a >= 95) }' || fail "accuracy $acc% is below 95%"

# PyTorch's LeNet-5, generated from its ONNX file at compile time ([OnnxNetwork]): the weights are in the binary
"$bin" torch --data "$mnist" | tee "$work/torch.log" || fail "'torch' exited $?"
tacc=$(sed -nE 's/^accuracy +([0-9.]+)%.*/\1/p' "$work/torch.log")
[ -n "$tacc" ] || fail "no accuracy line from 'torch'"
awk -v a="$tacc" 'BEGIN { exit !(a >= 97.5) }' || fail "PyTorch's LeNet-5 gives $tacc% natively (PyTorch: 97.87%)"
if ls "$work/publish" | grep -qi onnxruntime; then fail "an ONNX runtime library is in the published app"; fi
echo "aot: PyTorch's LeNet-5 from its ONNX file, compiled in: accuracy $tacc% on the MNIST test set (PyTorch 97.87%), no ONNX runtime in $(ls "$work/publish" | tr '\n' ' ')"

median_ms() { # median wall time in ms of 5 runs of the command
  local t0 t1 times=()
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N); "$@" >/dev/null || return 1; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
"$bin" first --model "$model" --data "$mnist"
native=$(median_ms "$bin" first --model "$model" --data "$mnist") || fail "'first' failed"
jitdll="Sample.Aot/bin/Release/net10.0/CnnGen.Sample.Aot.dll"
[ -f "$jitdll" ] || dotnet build Sample.Aot/Sample.Aot.csproj -c Release >"$work/build.log" 2>&1
jit=$( [ -f "$jitdll" ] && median_ms dotnet "$jitdll" first --model "$model" --data "$mnist" || echo "?")
echo "aot: start-up (time to first prediction, median of 5): native ${native} ms, JIT (dotnet CnnGen.Sample.Aot.dll) ${jit} ms"

# first trained batch: 'firstbatch' trains one batch of 64 synthetic digits (1 thread) right after start-up and
# prints "FIRSTBATCH <ms since process start> <ms since Main> <lanes>"; medians of 5 runs of each field
firstbatch() { # prints "<since start> <since Main> <lanes> <wall ms>" (medians of 5)
  local t0 t1 out rows=()
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N); out=$("$@" | grep '^FIRSTBATCH ') || return 1; t1=$(date +%s%N)
    rows+=("$(echo "$out" | awk '{ print $2, $3, $4 }') $(( (t1 - t0) / 1000000 ))")
  done
  for f in 1 2 3 4; do printf '%s\n' "${rows[@]}" | awk -v f=$f '{ print $f }' | sort -n | sed -n 3p; done | tr '\n' ' '
}
read -r fb_start fb_main fb_lanes fb_wall <<<"$(firstbatch "$bin" firstbatch)" || fail "'firstbatch' failed"
[ -n "${fb_start:-}" ] || fail "'firstbatch' printed no FIRSTBATCH line"
jfb=$( [ -f "$jitdll" ] && firstbatch dotnet "$jitdll" firstbatch || echo "? ? ? ?")
read -r jfb_start jfb_main jfb_lanes jfb_wall <<<"$jfb"
echo "aot: first batch (train one batch of 64 from process start, 1 thread, median of 5): native ${fb_start} ms since process start" \
     "(${fb_main} ms after Main, lanes ${fb_lanes}, whole run ${fb_wall} ms); JIT (dotnet CnnGen.Sample.Aot.dll) ${jfb_start} ms" \
     "(${jfb_main} ms after Main, lanes ${jfb_lanes}, whole run ${jfb_wall} ms)"
echo "aot: machine load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine inflates these times)"
echo "aot: passed"

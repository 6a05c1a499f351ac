#!/usr/bin/env bash
# Where the training (or, with --infer, the batch-1000 inference) time of a family net goes, kernel by kernel: runs
# `family --train-only` (or `--infer-only`) for one net on one
# thread under perf (sampling at 999 Hz, JIT symbols from the perf map) and prints each generated kernel's share
# of the samples in CnnGen code and in the whole process, grouped by layer (Forward, Backward = weight gradient,
# BackwardInput = input gradient, Infer, ...). Usage: Benchmarks/profile-layers.sh NET [--seconds S] [--threads T] [--infer]
# NET is one of lenet5, twoconv, vgg, resnet. Needs perf (Debian: linux-perf) and a Release build of Benchmarks.
# BENCH_DLL=path/CnnGen.Benchmarks.dll profiles another build (a copy of an older bin, for alternating A/B runs).
set -euo pipefail
cd "$(dirname "$0")/.."
net=${1:?usage: $0 NET [--seconds S] [--threads T] [--infer]}; shift
seconds=6; threads=1; mode=--train-only
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --infer) mode=--infer-only; shift ;;
    *) echo "usage: $0 NET [--seconds S] [--threads T] [--infer]"; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "perf is not installed (Debian: apt-get install linux-perf)"; exit 1; }
dll=${BENCH_DLL:-Benchmarks/bin/Release/net10.0/CnnGen.Benchmarks.dll}
[ -f "$dll" ] || dotnet build -c Release Benchmarks >/dev/null
data=()
[ -d "$HOME/.cache/cnngen/mnist" ] && data=(--data "$HOME/.cache/cnngen/mnist")
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
# The perf map names JIT'd methods; W^X off so that perf sees the code where it runs.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -q -F 999 -o "$out/perf.data" -- \
  dotnet "$dll" family --nets "$net" --threads "$threads" --runs 1 --seconds "$seconds" --no-torch --no-ort $mode "${data[@]}" \
  | grep -E "^  CnnGen|^$net " || true
perf report -i "$out/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^\s+[0-9.]+%' >"$out/report.txt"
python3 - "$out/report.txt" "$net" <<'PY'
import re, sys
rows, total = {}, 0.0
for line in open(sys.argv[1]):
    m = re.match(r'\s+([0-9.]+)%\s+\[.\]\s+(.*)', line)
    if not m: continue
    share, sym = float(m.group(1)), m.group(2)
    total += share
    k = re.search(r'CnnGen\.Benchmarks\.\w+::(\w+?)_(\w+)\(', sym)
    if k and not sym.startswith('float32 [CnnGen.Benchmarks] CnnGen.Benchmarks.FmaPeak'):
        rows[(k.group(1), k.group(2))] = rows.get((k.group(1), k.group(2)), 0.0) + share
    else:
        r = re.search(r'\[(CnnGen\.Runtime|System\.\w+[\w.]*)\]\s+([\w.`]+)::(\w+)', sym)
        key = ('(runtime)', f'{r.group(2).split(".")[-1]}.{r.group(3)}') if r and r.group(1) == 'CnnGen.Runtime' else ('(other)', '')
        rows[key] = rows.get(key, 0.0) + share
kernels = sum(v for (l, _), v in rows.items() if not l.startswith('('))
print(f"\n{sys.argv[2]}: share of perf samples (whole process; generated kernels {kernels:.1f}% of them)")
print(f"{'layer':<14} {'kernel':<22} {'% process':>9} {'% kernels':>9}")
for (layer, kernel), v in sorted(rows.items(), key=lambda kv: -kv[1]):
    if v < 0.3: continue
    print(f"{layer:<14} {kernel:<22} {v:9.1f} {100 * v / kernels if not layer.startswith('(') else float('nan'):9.1f}")
PY

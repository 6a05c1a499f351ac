#!/usr/bin/env bash
# CnnGen vs PyTorch on LeNet-5 (see Benchmarks/README.md). Installs Debian's PyTorch with the OpenMP OpenBLAS
# when they are missing (needs root or sudo), then runs the compare mode. Extra arguments go to compare,
# e.g. ./Benchmarks/run-compare.sh --data ~/.cache/cnngen/mnist --runs 5
set -euo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3   # Debian's python3: python3-torch installs into it, not into a pyenv/conda python on PATH
if ! "$PY" -c 'import torch' >/dev/null 2>&1 || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  echo "Installing python3-torch and libopenblas0-openmp (Debian packages)..." >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3-torch libopenblas0-openmp; then
    :
  else
    echo "Could not install PyTorch; compare will print CnnGen's figures only." >&2
  fi
fi

exec dotnet run -c Release --project Benchmarks -- compare --python "$PY" "$@"

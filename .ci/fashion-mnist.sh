#!/usr/bin/env bash
# The README's Fashion-MNIST command, shortened: `train --preset record --data <Fashion-MNIST>` on 10,000 training images
# for 2 epochs. Passes when the run exits 0, names the data as verified Fashion-MNIST, applies the record preset for it,
# and reaches at least 75 % on 2,000 test images (chance is 10 %; the full preset reaches about 93 %).
set -uo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/datasets/fashion-mnist
if ! ls "$data/train-images-idx3-ubyte.gz" >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist) || true
fi
[ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "Fashion-MNIST is not installed at $data (apt-get install dataset-fashion-mnist)"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log="$out/train.log"
dotnet run -c Release --project Sample.Mnist -- train --preset record --data "$data" \
  --epochs 2 --train-limit 10000 --test-limit 2000 --no-plots --output "$out/run" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "train exited $status"; exit 1; }
grep -q '^Data: Fashion-MNIST (verified' "$log" || { echo "the data line does not name verified Fashion-MNIST"; exit 1; }
grep -q '^Preset record: record preset for Fashion-MNIST' "$log" || { echo "the record preset for Fashion-MNIST was not applied"; exit 1; }
accuracy=$(sed -nE 's/^Test accuracy: ([0-9.]+)%.*/\1/p' "$log" | tail -1)
[ -n "$accuracy" ] || { echo "no test accuracy printed"; exit 1; }
[ -f "$out/run/bnnet.model" ] || { echo "no model file $out/run/bnnet.model"; exit 1; }
if awk -v a="$accuracy" 'BEGIN { exit !(a >= 75) }'; then
  echo "Fashion-MNIST short run: $accuracy % on 2,000 test images (threshold 75 %)"
else
  echo "Fashion-MNIST short run: $accuracy % is below the 75 % threshold"; exit 1
fi

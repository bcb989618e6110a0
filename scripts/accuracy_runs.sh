#!/usr/bin/env bash
# The training runs behind the README's accuracy table: the PyTorch recipe (SGD lr 0.05,
# momentum 0.9, batch 64, 10 epochs, all 6,000 training digits) and the regularised recipes,
# each for seeds 0, 1, 2, on the repository's MNIST sample. Prints one line per run.
# Usage: scripts/accuracy_runs.sh [OUTDIR]   (about 10 minutes on 2 cores)
set -euo pipefail
out="${1:-target/accuracy-runs}"
mkdir -p "$out"
bin=target/release/convkit
cargo build --release -q
run() {
  local name=$1; shift
  for seed in 0 1 2; do
    local log="$out/$name-seed$seed.log"
    "$bin" train --quiet --seed "$seed" --save "$out/$name-seed$seed.safetensors" "$@" > "$log"
    echo "$name seed $seed: $(grep '^test accuracy' "$log")"
  done
}
recipe=(--lr 0.05 --momentum 0.9 --batch 64 --epochs 10 --val-split 0)
run shallow-pytorch --arch shallow "${recipe[@]}"
run deep-pytorch --arch deep "${recipe[@]}"
reg=(--augment --schedule cosine --weight-decay 5e-4 --val-split 0)
run shallow-regularised --arch shallow --epochs 30 "${reg[@]}"
run deep-regularised --arch deep --epochs 30 "${reg[@]}"

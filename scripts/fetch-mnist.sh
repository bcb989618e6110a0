#!/usr/bin/env bash
# Downloads the full MNIST set (60,000 training / 10,000 test digits) into DIR (default
# data/mnist-full), from a mirror that serves the original gzip IDX files, and checks their
# MD5 sums. Needs curl (or wget) and internet access. Then: convkit train --data DIR
set -euo pipefail
dir="${1:-data/mnist-full}"
mirror="${MNIST_MIRROR:-https://ossci-datasets.s3.amazonaws.com/mnist}"
mkdir -p "$dir"
# MD5 sums of the original files (as torchvision lists them).
declare -A md5=(
  [train-images-idx3-ubyte.gz]=f68b3c2dcbeaaa9fbdd348bbdeb94873
  [train-labels-idx1-ubyte.gz]=d53e105ee54ea40749a09fcbcd1e9432
  [t10k-images-idx3-ubyte.gz]=9fb629c4189551a2d022fa330f9573f3
  [t10k-labels-idx1-ubyte.gz]=ec29112dd5afa0611ce80d1b7f02629c
)
for f in "${!md5[@]}"; do
  if [ ! -s "$dir/$f" ]; then
    echo "downloading $f"
    if command -v curl >/dev/null; then
      curl -fL --retry 3 -o "$dir/$f.part" "$mirror/$f"
    else
      wget -O "$dir/$f.part" "$mirror/$f"
    fi
    mv "$dir/$f.part" "$dir/$f"
  fi
  echo "${md5[$f]}  $dir/$f" | md5sum -c --quiet - || { echo "checksum mismatch: $dir/$f" >&2; exit 1; }
done
echo "MNIST in $dir: convkit train --data $dir"

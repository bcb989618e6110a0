#!/usr/bin/env python3
"""Load a convkit checkpoint into PyTorch and check that it predicts what convkit predicts.

    convkit train --arch deep --save deep.safetensors
    convkit eval --model deep.safetensors --logits deep-logits.npy
    python docs/pytorch_check.py deep.safetensors deep-logits.npy [--data data/mnist]

Needs torch, numpy and safetensors (../shared/bench/setup.sh's environment has them). The
network is rebuilt from the PyTorch definition convkit stores in the checkpoint's metadata
(key "pytorch", the same text as docs/cnn.md's definitions) and the weights are loaded with
load_state_dict(strict=True): the tensor names, shapes and layouts are PyTorch's own.
"""
import argparse
import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import load_file


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(data_dir, name)):
            return os.path.join(data_dir, name)
    sys.exit(f"{data_dir}: no {stem}[.gz]")


def resize_area(img, size):
    """convkit's area-average resize (for the 16x16 zipcode net)."""
    n = img.shape[0]
    w = np.zeros((size, n))
    scale = n / size
    for o in range(size):
        lo, hi = o * scale, (o + 1) * scale
        for i in range(int(np.floor(lo)), min(n, int(np.ceil(hi)))):
            w[o, i] = max(0.0, min(hi, i + 1) - max(lo, i)) / scale
    return w @ img @ w.T


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("logits", help="convkit eval --logits output (.npy)")
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data", "mnist"))
    a = p.parse_args()

    with safe_open(a.checkpoint, framework="pt") as f:
        meta = f.metadata()
    net = eval(meta["pytorch"], {"nn": nn})
    net.load_state_dict(load_file(a.checkpoint), strict=True)
    net.eval()

    x = read_idx(find(a.data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64)
    if meta["arch"] == "zipcode":
        x = np.stack([resize_area(img.astype(np.float64), 16) for img in x]).astype(np.float32)
    with torch.no_grad():
        torch_logits = net(torch.from_numpy(x).unsqueeze(1)).numpy()
    ours = np.load(a.logits)
    diff = np.abs(torch_logits - ours).max()
    scale = np.abs(torch_logits).max()
    same = (torch_logits.argmax(1) == ours.argmax(1)).mean()
    acc = (torch_logits.argmax(1) == y).mean()
    print(f"{meta['arch']} epoch {meta['epoch']}: {len(y)} test digits, PyTorch accuracy {100 * acc:.2f}%")
    print(f"max |logit difference| {diff:.3g} (max |logit| {scale:.3g}); same prediction on {100 * same:.2f}%")
    if not (diff <= 1e-4 * max(scale, 1.0) and same == 1.0):
        sys.exit("PyTorch and convkit disagree")


if __name__ == "__main__":
    main()

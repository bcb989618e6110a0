#!/usr/bin/env python3
"""Train a preset in PyTorch in file order from a seed's initial weights, and save those initial
weights, so that `convkit train --init INIT --no-shuffle --val-split 0` replays the very same run.

    python scripts/pytorch_replay.py --arch deep --epochs 10 --out target/replay
    convkit train --arch deep --epochs 10 --init target/replay/deep-init.safetensors \
        --no-shuffle --val-split 0 --algo im2col --save target/replay/deep-convkit.safetensors

Prints PyTorch's mean training loss per epoch and its test accuracy, to set beside convkit's
summary lines. Needs torch and safetensors (../shared/bench/setup.sh's environment).
"""
import argparse
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def net(arch):
    if arch == "shallow":
        return nn.Sequential(nn.Conv2d(1, 10, 5, stride=2, padding=2), nn.ReLU(), nn.Flatten(),
                             nn.Linear(1960, 50), nn.ReLU(), nn.Linear(50, 10))
    if arch == "deep":
        return nn.Sequential(nn.Conv2d(1, 10, 5, stride=2, padding=2), nn.ReLU(),
                             nn.Conv2d(10, 40, 3, stride=2, padding=1), nn.ReLU(),
                             nn.Conv2d(40, 80, 3, stride=1, padding=1), nn.ReLU(), nn.Flatten(),
                             nn.Linear(3920, 50), nn.ReLU(), nn.Linear(50, 10))
    raise SystemExit(f"unknown arch {arch}")


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = struct.unpack(">" + "I" * nd, data[4:4 + 4 * nd])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def load(d, split):
    x = torch.from_numpy(idx(os.path.join(d, f"{split}-images-idx3-ubyte.gz")).astype(np.float32) / 255)
    y = torch.from_numpy(idx(os.path.join(d, f"{split}-labels-idx1-ubyte.gz")).astype(np.int64))
    return x.unsqueeze(1), y


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="deep")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=os.path.join(HERE, "..", "data", "mnist"))
    p.add_argument("--out", default="target/replay")
    a = p.parse_args()
    torch.set_num_threads(2)
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    model = net(a.arch)
    init = os.path.join(a.out, f"{a.arch}-init.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, init)
    print(f"initial weights: {init}")
    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "t10k")
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for ep in range(a.epochs):
        tot, n = 0.0, 0
        for i in range(0, len(xtr), 64):
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[i:i + 64]), ytr[i:i + 64])
            loss.backward()
            opt.step()
            tot += float(loss.detach()) * len(ytr[i:i + 64])
            n += len(ytr[i:i + 64])
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {ep + 1:2d}  train loss {tot / n:.4f}  test acc {100 * acc:.2f}%")


if __name__ == "__main__":
    main()

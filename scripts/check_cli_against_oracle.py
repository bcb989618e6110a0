#!/usr/bin/env python3
"""End-to-end check: `convkit conv` on random .npy inputs against ../shared/bench/oracle.py.

    cargo build --release
    ~/.cache/convkit-bench/venv/bin/python scripts/check_cli_against_oracle.py [--algo direct|fft|auto]

Every op x output x pad, 1-D and 2-D, odd and even kernels, kernels longer than the signal,
signals of length 1, a few strides and dilations, float64 and float32. Prints the worst relative
error per dtype and exits 1 if float64 exceeds 1e-12 (float32: 1e-5) or any case fails.
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "bench"))
from oracle import OracleError, conv  # noqa: E402

BIN = os.path.join(HERE, "..", "target", "release", "convkit")
ap = argparse.ArgumentParser()
ap.add_argument("--algo", default="auto")
args = ap.parse_args()
rng = np.random.default_rng(7)
shapes = [((1,), (1,)), ((1,), (4,)), ((9,), (3,)), ((10,), (4,)), ((3,), (8,)), ((257,), (64,)),
          ((1, 1), (2, 3)), ((6, 7), (3, 3)), ((8, 5), (4, 2)), ((3, 4), (5, 6)), ((40, 33), (9, 8))]
worst = {"float64": 0.0, "float32": 0.0}
failures = 0
cases = 0
with tempfile.TemporaryDirectory() as tmp:
    xp, hp, yp = (os.path.join(tmp, n) for n in ("x.npy", "h.npy", "y.npy"))
    for (xs, hs), dtype in itertools.product(shapes, ["float64", "float32"]):
        x = rng.uniform(-1, 1, xs).astype(dtype)
        h = rng.uniform(-1, 1, hs).astype(dtype)
        np.save(xp, x)
        np.save(hp, h)
        for op, output, pad, (s, d) in itertools.product(
                ["convolve", "correlate"], ["full", "same", "valid"],
                ["zero", "replicate", "reflect", "symmetric", "circular"], [(1, 1), (2, 1), (1, 2)]):
            try:
                want = conv(x, h, op=op, output=output, pad=pad, stride=s, dilation=d)
            except OracleError:
                want = None
            if os.path.exists(yp):
                os.remove(yp)
            r = subprocess.run([BIN, "conv", xp, hp, "-o", yp, "--op", op, "--output", output, "--pad", pad,
                                "--stride", str(s), "--dilation", str(d), "--algo", args.algo],
                               capture_output=True, text=True)
            cases += 1
            if want is None:
                if r.returncode != 2 or os.path.exists(yp) or len(r.stderr.strip().splitlines()) != 1:
                    failures += 1
                    print("expected a one-line error:", xs, hs, op, output, pad, s, d, r.stderr)
                continue
            if r.returncode != 0:
                failures += 1
                print("failed:", xs, hs, op, output, pad, s, d, r.stderr.strip())
                continue
            got = np.load(yp)
            if got.dtype != want.dtype or got.shape != want.shape:
                failures += 1
                print("dtype/shape:", got.dtype, got.shape, want.dtype, want.shape, xs, hs, op, output, pad)
                continue
            ref = conv(x.astype(np.float64), h.astype(np.float64), op=op, output=output, pad=pad, stride=s,
                       dilation=d)
            scale = max(1.0, float(np.max(np.abs(ref))))
            err = float(np.max(np.abs(got.astype(np.float64) - ref))) / scale
            worst[dtype] = max(worst[dtype], err)
print(f"algo={args.algo}: {cases} cases, {failures} failures; worst relative error "
      f"float64 {worst['float64']:.2e}, float32 {worst['float32']:.2e}")
sys.exit(1 if failures or worst["float64"] > 1e-12 or worst["float32"] > 1e-5 else 0)

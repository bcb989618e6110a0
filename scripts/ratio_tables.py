#!/usr/bin/env python3
"""Markdown ratio tables: convkit (`convkit bench --json`) against the Python peers
(`../shared/bench` JSON files), same machine, same workloads. Stdlib only.

    python3 scripts/ratio_tables.py CONVKIT.json PEERS_DIR

Ratio = convkit time / peer time (below 1: convkit is faster).
"""
import glob
import json
import os
import sys


def fmt(s):
    return f"{s * 1e3:.3f}"


convkit = json.load(open(sys.argv[1]))
peer_dir = sys.argv[2]
ck = {}
for r in convkit:
    ck[(r["workload"], r["size"], r["kernel"], r["padding"], r["algorithm"])] = r["median_s"]
    ck[(r["workload"], r["size"], r["kernel"], r["padding"], "choice")] = r["auto_choice"]

peers = []
for path in glob.glob(os.path.join(peer_dir, "*.json")):
    d = json.load(open(path))
    for r in d.get("records", []):
        if "timing" in r:
            peers.append(r)

# W1: convkit Auto vs each peer path and the best of them.
print("### W1 (1-D full, f64): convkit Auto against numpy / scipy, median ms\n")
print("| N | K | convkit auto (choice) | numpy.convolve | scipy best of direct/fft/auto | oaconvolve | best peer | auto / best peer |")
print("|---:|---:|---|---:|---:|---:|---:|---:|")
w1 = {}
for r in peers:
    if r.get("workload") == "W1":
        w1.setdefault((r["N"], r["K"]), {})[r["path"]] = r["timing"]["median_s"]
for (n, k), paths in sorted(w1.items()):
    auto = ck.get(("W1", n, k, "zero", "auto"))
    if auto is None:
        continue
    numpy_t = paths.get("numpy.convolve", float("nan"))
    scipy_t = min(v for p, v in paths.items() if p.startswith("scipy.signal.convolve"))
    oa = paths.get("scipy.signal.oaconvolve", float("nan"))
    best = min(paths.values())
    choice = ck.get(("W1", n, k, "zero", "choice"))
    print(f"| {n:,} | {k} | {fmt(auto)} ({choice}) | {fmt(numpy_t)} | {fmt(scipy_t)} | {fmt(oa)} | {fmt(best)} | {auto / best:.2f} |")

# W2: convkit Auto (f32) vs scipy.ndimage and OpenCV filter2D, zero and reflect padding.
print("\n### W2 (2-D same, f32): convkit Auto against scipy.ndimage and OpenCV filter2D, median ms\n")
print("| S | K | padding | convkit auto (choice) | ndimage | ratio | filter2D | ratio | torch | ratio |")
print("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|")
peer_pad = {"zero": "zero", "reflect": "reflect"}
w2 = {}
for r in peers:
    if r.get("workload") == "W2" and r.get("dtype") == "f32" and r.get("padding") in peer_pad:
        w2.setdefault((r["S"], r["K"], r["padding"]), {})[r["lib"]] = r["timing"]["median_s"]
for (s, k, pad), libs in sorted(w2.items()):
    auto = ck.get(("W2", s, k, pad, "auto"))
    if auto is None:
        continue
    cells = []
    for lib in ("ndimage", "filter2D", "torch"):
        t = libs.get(lib)
        cells += [fmt(t), f"{auto / t:.2f}"] if t else ["-", "-"]
    choice = ck.get(("W2", s, k, pad, "choice"))
    print(f"| {s} | {k} | {pad} | {fmt(auto)} ({choice}) | " + " | ".join(cells) + " |")

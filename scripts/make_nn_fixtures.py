#!/usr/bin/env python3
"""Freezes PyTorch's forward outputs and gradients of the CNN layers into tests/fixtures/nn_torch.txt.

Run once with the benchmark venv (torch 2.15.0, see ../shared/bench/setup.sh):

    ~/.cache/convkit-bench/venv/bin/python scripts/make_nn_fixtures.py

Everything is float64. Format (read by tests/nn_torch_fixtures.rs), one record per line:

    @ <case> key=value ...                 parameters of a case
    <case> <array> <d0,d1,...> v v v ...   an array (row-major), values with 17 significant digits

Inputs, weights and upstream gradients are seeded numpy draws stored in the file, except the
preset weights, which both sides compute as w[k] = bound·sin(0.7·k + t) (t = parameter index,
bound = 1/sqrt(fan_in)); preset gradients are stored at every stride-th index plus their sums.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "nn_torch.txt")
lines = []


def put(case, name, a):
    a = np.asarray(a, dtype=np.float64)
    shape = ",".join(str(d) for d in a.shape) if a.ndim else "0"
    vals = " ".join(f"{v:.17g}" for v in a.reshape(-1))
    lines.append(f"{case} {name} {shape} {vals}")


def params(case, **kw):
    lines.append("@ " + case + " " + " ".join(f"{k}={v}" for k, v in kw.items()))


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def pair(v):
    return v if isinstance(v, tuple) else (v, v)


def conv_cases():
    rng = np.random.default_rng(1)
    cases = []
    for mode in ["zeros", "reflect", "replicate", "circular"]:
        for (k, s, p, d, g, bias) in [
            (3, 1, 1, 1, 1, True),
            ((2, 4), 2, (1, 2), 1, 1, True),
            (3, (2, 1), 2, 2, 2, False),
            ((3, 2), 2, 1, (1, 2), 1, True),
            (5, 2, 2, 1, 1, True),
        ]:
            cases.append((mode, k, s, p, d, g, bias))
    for i, (mode, k, s, p, d, g, bias) in enumerate(cases):
        case = f"conv{i}"
        cin, cout = 4, 6
        conv = nn.Conv2d(cin, cout, k, stride=s, padding=p, dilation=d, groups=g, bias=bias, padding_mode=mode)
        x = t(rng.uniform(-1, 1, (2, cin, 7, 6)), True)
        with torch.no_grad():
            conv.weight.copy_(t(rng.uniform(-1, 1, tuple(conv.weight.shape))))
            if bias:
                conv.bias.copy_(t(rng.uniform(-1, 1, (cout,))))
        y = conv(x)
        delta = t(rng.uniform(-1, 1, tuple(y.shape)))
        y.backward(delta)
        kh, kw = pair(k)
        params(case, kind="conv", cin=cin, cout=cout, k=f"{kh},{kw}", stride="%d,%d" % pair(s),
               pad="%d,%d" % pair(p), dil="%d,%d" % pair(d), groups=g, bias=int(bias), mode=mode)
        put(case, "x", x.detach())
        put(case, "w", conv.weight.detach())
        if bias:
            put(case, "b", conv.bias.detach())
            put(case, "db", conv.bias.grad)
        put(case, "delta", delta)
        put(case, "y", y.detach())
        put(case, "dx", x.grad)
        put(case, "dw", conv.weight.grad)


def pool_cases():
    rng = np.random.default_rng(2)
    i = 0
    for kind in ["max", "avg", "avg_nopad", "sum"]:
        for (k, s, p, ceil) in [(2, 2, 0, False), (2, 2, 0, True), (3, 2, 1, True), (3, 1, 1, False), (3, 3, 1, True)]:
            case = f"pool{i}"
            i += 1
            x = t(rng.uniform(-1, 1, (2, 3, 7, 5)), True)
            if kind == "max":
                y = F.max_pool2d(x, k, s, p, ceil_mode=ceil)
            elif kind == "avg":
                y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=True)
            elif kind == "avg_nopad":
                y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=False)
            else:
                y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, divisor_override=1)
            delta = t(rng.uniform(-1, 1, tuple(y.shape)))
            y.backward(delta)
            params(case, kind=kind, k=k, stride=s, pad=p, ceil=int(ceil))
            put(case, "x", x.detach())
            put(case, "delta", delta)
            put(case, "y", y.detach())
            put(case, "dx", x.grad)


def activation_cases():
    rng = np.random.default_rng(3)
    for name, mod in [("relu", nn.ReLU()), ("leaky_relu", nn.LeakyReLU(0.1)), ("sigmoid", nn.Sigmoid()),
                      ("tanh", nn.Tanh()), ("elu", nn.ELU(1.3))]:
        case = f"act_{name}"
        x = t(rng.uniform(-3, 3, (2, 3, 4, 5)), True)
        y = mod(x)
        delta = t(rng.uniform(-1, 1, tuple(y.shape)))
        y.backward(delta)
        params(case, kind=name)
        put(case, "x", x.detach())
        put(case, "delta", delta)
        put(case, "y", y.detach())
        put(case, "dx", x.grad)


def dense_case():
    rng = np.random.default_rng(4)
    lin = nn.Linear(7, 4)
    with torch.no_grad():
        lin.weight.copy_(t(rng.uniform(-1, 1, (4, 7))))
        lin.bias.copy_(t(rng.uniform(-1, 1, (4,))))
    x = t(rng.uniform(-1, 1, (3, 7)), True)
    y = lin(x)
    delta = t(rng.uniform(-1, 1, (3, 4)))
    y.backward(delta)
    params("dense", kind="dense")
    for n, a in [("x", x.detach()), ("w", lin.weight.detach()), ("b", lin.bias.detach()), ("delta", delta),
                 ("y", y.detach()), ("dx", x.grad), ("dw", lin.weight.grad), ("db", lin.bias.grad)]:
        put("dense", n, a)


def ce_case():
    rng = np.random.default_rng(5)
    z = t(rng.uniform(-4, 4, (6, 5)), True)
    labels = rng.integers(0, 5, 6)
    loss = F.cross_entropy(z, torch.from_numpy(labels))
    loss.backward()
    params("ce", kind="ce")
    put("ce", "z", z.detach())
    put("ce", "labels", labels.astype(np.float64))
    put("ce", "loss", loss.detach())
    put("ce", "dz", z.grad)


def preset_case(name):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
    from nets import make_net  # ../shared/bench/nets.py: the seed's definitions, counts checked
    net = make_net(name).double()
    prev_fan_in = None
    with torch.no_grad():
        for ti, p in enumerate(net.parameters()):
            fan_in = int(np.prod(p.shape[1:])) if p.dim() > 1 else None
            if fan_in is None:  # a bias: the fan-in of the weight before it
                fan_in = prev_fan_in
            prev_fan_in = fan_in
            bound = 1.0 / np.sqrt(fan_in)
            k = np.arange(p.numel(), dtype=np.float64)
            p.copy_(t((bound * np.sin(0.7 * k + ti)).reshape(tuple(p.shape))))
    rng = np.random.default_rng(6)
    x = t(rng.uniform(-1, 1, (2, 1, 28, 28)), True)
    labels = np.array([3, 8])
    logits = net(x)
    loss = F.cross_entropy(logits, torch.from_numpy(labels))
    loss.backward()
    case = f"preset_{name}"
    params(case, kind="preset", net=name, labels="3,8")
    put(case, "x", x.detach())
    put(case, "logits", logits.detach())
    put(case, "loss", loss.detach())
    for ti, p in enumerate(net.parameters()):
        g = p.grad.reshape(-1).numpy()
        stride = max(1, g.size // 150)
        put(case, f"g{ti}_stride", np.array([stride]))
        put(case, f"g{ti}_sample", g[::stride])
        put(case, f"g{ti}_sum", np.array([g.sum()]))


def main():
    conv_cases()
    pool_cases()
    activation_cases()
    dense_case()
    ce_case()
    preset_case("shallow")
    preset_case("deep")
    header = [f"# made by scripts/make_nn_fixtures.py with torch {torch.__version__}, numpy {np.__version__}; float64"]
    with open(OUT, "w") as f:
        f.write("\n".join(header + lines) + "\n")
    print(f"wrote {len(lines)} records to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()

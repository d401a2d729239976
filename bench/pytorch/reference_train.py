#!/usr/bin/python3
"""Trains the PyTorch reference DGNet on an enflow KdV or Cahn–Hilliard dataset (cross-check).

An independent implementation of the DGNet authors' PDE training loop (the discrete
autograd of dgnet_reference.py, periodic conv energy, G = D or D₂, Adam, random batches of
consecutive pairs, loss mean((u₁ − u₀)/Δt − G∇̄H(u₁, u₀))²), run on the same HDF5 file that
`enflow train` reads, and scored with the same Deriv. MSE (docs/dgnet.md: the exact du/dt of
the PDE at every test state against G∇H). If enflow and this script end at the same numbers
for the same budget, a gap to the paper lies in the data or the protocol, not in enflow's
trainer (docs/dgnet.md, "Table 2").

    /usr/bin/python3 bench/pytorch/reference_train.py data/cahn-hilliard.h5 --iterations 1000

Prints a progress line every --log-every iterations and one JSON object at the end.
"""
import argparse
import json
import os
import sys
import time

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dgnet_reference import PeriodicConv, discrete_gradient, gradient, make_structure  # noqa: E402


def grid(system, attrs, n):
    """dx, the structure G of the model, and the PDE's exact du/dt on the grid, built from
    the same stencils as G (enflow's systems use the same finite differences)."""
    dx = float(attrs["param_length"]) / n
    D1 = make_structure("D", n, dx, torch.float64)
    D2 = make_structure("D2", n, dx, torch.float64)
    if system == "cahn-hilliard":
        a, b, g = (float(attrs[k]) for k in ("param_a", "param_b", "param_gamma"))
        return dx, D2, lambda u: D2(-a * u + b * u**3 - g * D2(u))
    if system == "kdv":
        a, b = float(attrs["param_alpha"]), float(attrs["param_beta"])
        return dx, D1, lambda u: D1(-a / 2 * u**2 + b * D2(u))
    sys.exit(f"error: system '{system}' is not a periodic PDE (kdv or cahn-hilliard)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data")
    p.add_argument("--iterations", type=int, default=10000)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    a = p.parse_args()
    if not os.path.isfile(a.data):
        sys.exit(f"error: no such file '{a.data}'")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = torch.float64

    with h5py.File(a.data, "r") as f:
        states = torch.from_numpy(f["states"][:]).to(dtype)
        train, test = f["train"][:], f["test"][:]
        attrs = dict(f.attrs)
    system = attrs["system"].decode() if isinstance(attrs["system"], bytes) else str(attrs["system"])
    dt = float(attrs["dt"])
    _, G, exact_rate = grid(system, attrs, states.shape[-1])
    net = PeriodicConv().to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)

    def pairs(idx):
        s = states[idx]
        return s[:, :-1].reshape(-1, s.shape[-1]), s[:, 1:].reshape(-1, s.shape[-1])

    u0_all, u1_all = pairs(train)
    target_all = (u1_all - u0_all) / dt
    t0, window = time.time(), []
    for it in range(1, a.iterations + 1):
        idx = torch.randperm(u0_all.shape[0])[: a.batch]
        opt.zero_grad()
        rate = G(discrete_gradient(net, u1_all[idx], u0_all[idx], True))
        loss = (rate - target_all[idx]).pow(2).mean()
        loss.backward()
        opt.step()
        window.append(loss.item())
        if it % a.log_every == 0 or it == a.iterations:
            el = time.time() - t0
            print(f"iter {it}/{a.iterations}  loss {np.mean(window):.4e}  {it / el:.2f} it/s  "
                  f"left {el / it * (a.iterations - it):.0f} s", file=sys.stderr, flush=True)
            window = []

    # Deriv. MSE on every test state; one-step MSE on every consecutive test pair.
    test_states = states[test].reshape(-1, states.shape[-1])
    exact = exact_rate(test_states)
    deriv, step = [], []
    for s in range(0, test_states.shape[0], 500):
        u = test_states[s:s + 500]
        deriv.append((G(gradient(net, u, False)) - exact[s:s + 500]).pow(2).sum().item())
    v0, v1 = pairs(test)
    for s in range(0, v0.shape[0], 500):
        r = G(discrete_gradient(net, v1[s:s + 500], v0[s:s + 500], False))
        step.append((r - (v1[s:s + 500] - v0[s:s + 500]) / dt).pow(2).sum().item())
    print(json.dumps({"data": a.data, "system": system, "iterations": a.iterations,
                      "batch": a.batch, "lr": a.lr, "seed": a.seed,
                      "deriv_mse": sum(deriv) / exact.numel(),
                      "one_step_mse": sum(step) / v0.numel(),
                      "exact_rate_mean_square": exact.pow(2).mean().item(),
                      "train_seconds": time.time() - t0}))


if __name__ == "__main__":
    main()

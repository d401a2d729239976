#!/usr/bin/python3
"""PyTorch reference for enflow's side-by-side benchmark (issue 5, docs/performance.md).

Times the same training iterations enflow's bench/training_step_bench.cpp times, written the
way the DGNet authors' public code does them (tksmatsubara/discrete-autograd, reimplemented
here, not copied): layers run on both states u1, u0; activations are custom autograd
Functions whose backward returns the divided difference (f(x1) − f(x0))/(x1 − x0) where
|x1 − x0| > eps and f' at the midpoint elsewhere, selected with boolean masks; the discrete
gradient is torch.autograd.grad(H, u1, create_graph=True) with that mode switched on.
Baselines (HNN, HNN++) train through explicit midpoint RK2 or Dormand–Prince 5(4), the
latter written to match src/integrators/adaptive.cpp step for step (torchdiffeq is not a
Debian package). Prediction: the implicit scheme solved by scipy.optimize.fsolve with its
finite-difference Jacobian (the authors' approach), and RK4 with the learned gradient.

Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/dgnet_reference.py --help
Prints one JSON object per measurement on stdout.
"""
import argparse
import json
import sys
import time
import warnings

import numpy as np
import scipy.optimize
import torch

# --- discrete autograd (the DGNet authors' algorithm) -------------------------------------

DISCRETE = [False]  # the authors switch the backward mode globally around autograd.grad
DEVICE = [torch.device("cpu")]  # --device


def eps_for(dtype):
    return 1e-6 if dtype == torch.float32 else 1e-12


class DividedDifference(torch.autograd.Function):
    """(v1 − v0)/(x1 − x0) and its derivatives, for the pairs that are far enough apart."""

    @staticmethod
    def forward(ctx, x1, x0, v1, v0):
        dx = x1 - x0
        d = (v1 - v0) / dx
        ctx.save_for_backward(dx, d)
        return d

    @staticmethod
    def backward(ctx, g):
        dx, d = ctx.saved_tensors
        inv = 1.0 / dx
        return -g * d * inv, g * d * inv, g * inv, -g * inv


class Tanh2(torch.autograd.Function):
    """tanh on both streams; backward is the divided difference in discrete mode."""

    @staticmethod
    def forward(ctx, x1, x0):
        v1, v0 = torch.tanh(x1), torch.tanh(x0)
        ctx.save_for_backward(x1, x0, v1, v0)
        return v1, v0

    @staticmethod
    def backward(ctx, g1, g0):
        x1, x0, v1, v0 = ctx.saved_tensors
        if DISCRETE[0]:
            far = (x1 - x0).abs() > eps_for(x1.dtype)
            d = torch.cosh(0.5 * (x1 + x0)).pow(-2).clone()
            d[far] = DividedDifference.apply(x1[far], x0[far], v1[far], v0[far])
            return d * g1, None
        return (1 - v1 * v1) * g1, (1 - v0 * v0) * g0


def init_orthogonal(*layers):
    """Orthogonal weights, zero biases (the authors' initialization)."""
    for l in layers:
        torch.nn.init.orthogonal_(l.weight)
        if l.bias is not None:
            torch.nn.init.zeros_(l.bias)


class Mlp(torch.nn.Module):
    """d → 200 → 200 → 1, tanh, orthogonal weights, zero biases, no output bias."""

    def __init__(self, d, width=200):
        super().__init__()
        self.l1 = torch.nn.Linear(d, width)
        self.l2 = torch.nn.Linear(width, width)
        self.l3 = torch.nn.Linear(width, 1, bias=False)
        init_orthogonal(self.l1, self.l2, self.l3)

    def forward(self, x):
        return self.l3(torch.tanh(self.l2(torch.tanh(self.l1(x))))).sum(-1)

    def forward2(self, x1, x0):
        a1, a0 = Tanh2.apply(self.l1(x1), self.l1(x0))
        a1, a0 = Tanh2.apply(self.l2(a1), self.l2(a0))
        return self.l3(a1).sum(-1), self.l3(a0).sum(-1)


class PeriodicConv(torch.nn.Module):
    """Periodic pad → Conv1d(1→200, k3) → tanh → 1×1 → tanh → 1×1 (no bias) → Σ grid."""

    def __init__(self, width=200):
        super().__init__()
        self.c1 = torch.nn.Conv1d(1, width, 3)
        self.c2 = torch.nn.Conv1d(width, width, 1)
        self.c3 = torch.nn.Conv1d(width, 1, 1, bias=False)
        init_orthogonal(self.c1, self.c2, self.c3)

    @staticmethod
    def pad(x):
        return torch.cat([x[..., -1:], x, x[..., :1]], -1)

    def forward(self, x):
        h = torch.tanh(self.c1(self.pad(x.unsqueeze(1))))
        return self.c3(torch.tanh(self.c2(h))).sum((1, 2))

    def forward2(self, x1, x0):
        a1, a0 = Tanh2.apply(self.c1(self.pad(x1.unsqueeze(1))), self.c1(self.pad(x0.unsqueeze(1))))
        a1, a0 = Tanh2.apply(self.c2(a1), self.c2(a0))
        return self.c3(a1).sum((1, 2)), self.c3(a0).sum((1, 2))


class PeriodicConv2d(torch.nn.Module):
    """The 2-D energy on an ny × nx periodic grid, states flattened row-major (issue 31):
    3×3 periodic conv (1→C) → tanh → 1×1 (C→C) → tanh → 1×1 (C→1, no bias) → Σ grid.

    Written channels-last with Linear layers (the 3×3 conv as a Linear on the 9 rolled copies
    of the grid): PyTorch's float64 Conv2d on the CPU takes its slow reference path (measured
    ~13.7 s per training iteration at 32 × 32, 32 channels, batch 32, against ~0.1 s this way),
    so this is the faster PyTorch formulation of the same network."""

    def __init__(self, ny, nx, width):
        super().__init__()
        self.ny, self.nx = ny, nx
        self.c1 = torch.nn.Linear(9, width)
        self.c2 = torch.nn.Linear(width, width)
        self.c3 = torch.nn.Linear(width, 1, bias=False)
        init_orthogonal(self.c1, self.c2, self.c3)

    def patches(self, x):
        g = x.view(-1, self.ny, self.nx)
        return torch.stack([torch.roll(g, (dy, dx), (1, 2))
                            for dy in (1, 0, -1) for dx in (1, 0, -1)], -1)

    def forward(self, x):
        h = torch.tanh(self.c1(self.patches(x)))
        return self.c3(torch.tanh(self.c2(h))).sum((1, 2, 3))

    def forward2(self, x1, x0):
        a1, a0 = Tanh2.apply(self.c1(self.patches(x1)), self.c1(self.patches(x0)))
        a1, a0 = Tanh2.apply(self.c2(a1), self.c2(a0))
        return self.c3(a1).sum((1, 2, 3)), self.c3(a0).sum((1, 2, 3))


def gradient(net, x, create_graph):
    with torch.enable_grad():
        x = x if x.requires_grad else x.detach().requires_grad_(True)
        return torch.autograd.grad(net(x).sum(), x, create_graph=create_graph)[0]


def discrete_gradient(net, x1, x0, create_graph):
    with torch.enable_grad():
        x1 = x1.detach().requires_grad_(True)
        x0 = x0.detach().requires_grad_(True)
        h1, _ = net.forward2(x1, x0)
        DISCRETE[0] = True
        try:
            return torch.autograd.grad(h1.sum(), x1, create_graph=create_graph)[0]
        finally:
            DISCRETE[0] = False


# --- structures -----------------------------------------------------------------------------

def make_structure(kind, dim, dx, dtype, grid=None):
    if kind == "symplectic":
        n = dim // 2
        S = torch.zeros(dim, dim, dtype=dtype)
        S[:n, n:] = torch.eye(n)
        S[n:, :n] = -torch.eye(n)
        S = S.to(DEVICE[0])
        return lambda g: g @ S.t()
    if kind == "laplacian2d":  # five-point Laplacian on the case's periodic grid
        ny, nx = grid
        w = torch.tensor([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=dtype, device=DEVICE[0])
        w = (w / dx**2).view(1, 1, 3, 3)
        pad = lambda g: torch.nn.functional.pad(g.view(-1, 1, ny, nx), (1, 1, 1, 1), "circular")
        return lambda g: torch.nn.functional.conv2d(pad(g), w).view(g.shape)
    stencil = {"D": [-1.0 / (2 * dx), 0.0, 1.0 / (2 * dx)],
               "D2": [1.0 / dx**2, -2.0 / dx**2, 1.0 / dx**2]}[kind]
    w = torch.tensor(stencil, dtype=dtype, device=DEVICE[0]).view(1, 1, 3)
    return lambda g: torch.nn.functional.conv1d(PeriodicConv.pad(g.unsqueeze(1)), w).squeeze(1)


# --- integrators ----------------------------------------------------------------------------

def rk2(f, u, h):
    return u + h * f(u + 0.5 * h * f(u))


def rk4(f, u, h):
    k1 = f(u)
    k2 = f(u + 0.5 * h * k1)
    k3 = f(u + 0.5 * h * k2)
    k4 = f(u + h * k3)
    return u + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


A = [[1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
     [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
     [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]]
B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40]


def dopri5(f, u, dt, rtol, atol, stats):
    """Same step control as enflow's dopri5_step: h starts at dt, FSAL, RMS error norm."""
    t, h, k1 = 0.0, dt, f(u)
    while t < dt * (1 - 1e-12):
        h = min(h, dt - t)
        k = [k1]
        for row in A:
            k.append(f(u + h * sum(a * ki for a, ki in zip(row, k))))
        u_new = u + h * sum(b * ki for b, ki in zip(B5, k) if b != 0)
        k7 = f(u_new)
        with torch.no_grad():
            err = h * sum(e * ki for e, ki in zip(E, k + [k7]) if e != 0)
            scale = atol + rtol * torch.maximum(u.abs(), u_new.abs())
            en = (err / scale).pow(2).mean().sqrt().item()
        if en <= 1.0:
            t, u, k1 = t + h, u_new, k7
            stats["substeps"] += 1
        else:
            stats["rejected"] += 1
        h *= 5.0 if en == 0 else min(5.0, max(0.2, 0.9 * en ** -0.2))
    return u


# --- the benchmark cases ----------------------------------------------------------------------

CASES = {
    # name: (network, state dim, structure, dtype, pairs, batch (0 = full), dt, dx)
    "mass_spring": ("mlp", 2, "symplectic", torch.float32, 2475, 0, 20.0 / 99, 1.0),
    "two_body": ("mlp", 8, "symplectic", torch.float32, 2000, 200, 0.2, 1.0),
    "kdv": ("conv", 50, "D", torch.float64, 2000, 200, 1e-3, 10.0 / 50),
    "cahn_hilliard": ("conv", 50, "D2", torch.float64, 2000, 200, 1e-4, 1.0 / 50),
    # 2-D (issue 31): Cahn–Hilliard-like training pairs on a 32 × 32 grid, G = Δ_h.
    "cahn_hilliard_2d": ("conv2d", 1024, "laplacian2d", torch.float64, 512, 16, 1e-4, 1.0 / 32),
}
GRIDS = {"cahn_hilliard_2d": (32, 32, 16)}  # ny, nx, channels of the 2-D cases


def case_data(name):
    """Deterministic pairs shared with the C++ side (same formula)."""
    _, d, _, dtype, n, _, dt, _ = CASES[name]
    i = torch.arange(n, dtype=torch.float64).view(-1, 1)
    j = torch.arange(d, dtype=torch.float64).view(1, -1)
    u0 = 0.8 * torch.sin(0.37 * i + 1.3 * j)
    u1 = u0 + dt * 0.5 * torch.cos(0.23 * i + 0.7 * j)
    return u0.to(DEVICE[0], dtype), u1.to(DEVICE[0], dtype), dt


def build(name):
    net_kind, d, structure, dtype, _, _, _, dx = CASES[name]
    grid = GRIDS[name][:2] if name in GRIDS else None
    if net_kind == "conv2d":
        net = PeriodicConv2d(*GRIDS[name])
    else:
        net = Mlp(d) if net_kind == "mlp" else PeriodicConv()
    return net.to(DEVICE[0], dtype), make_structure(structure, d, dx, dtype, grid)


def train_iterations(name, scheme, iters, rtol, atol, seed):
    torch.manual_seed(seed)
    net, G = build(name)
    u0_all, u1_all, dt = case_data(name)
    n, batch = u0_all.shape[0], CASES[name][5]
    target_all = (u1_all - u0_all) / dt
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    stats = {"substeps": 0, "rejected": 0, "iterations": 0}
    f = lambda x: G(gradient(net, x, True))

    def step():
        full = batch <= 0 or batch >= n
        idx = torch.arange(n) if full else torch.randperm(n)[:batch]
        idx = idx.to(DEVICE[0])
        u0, u1, target = u0_all[idx], u1_all[idx], target_all[idx]
        stats["iterations"] += 1
        opt.zero_grad()
        if scheme == "dg":
            rate = G(discrete_gradient(net, u1, u0, True))
        elif scheme == "rk2":
            rate = (rk2(f, u0, dt) - u0) / dt
        else:
            rate = (dopri5(f, u0, dt, rtol, atol, stats) - u0) / dt
        loss = (rate - target).pow(2).mean()
        loss.item()
        loss.backward()
        opt.step()

    return step, stats


def predict_setup(name, batch, seed):
    torch.manual_seed(seed)
    net, G = build(name)
    u0_all, _, dt = case_data(name)
    return net, G, u0_all[:batch].clone(), dt


def fsolve_step(net, G, x1, dt, xtol=1e-12):
    """The authors' implicit step: RK2 predictor, then fsolve on the flattened batch."""
    shape, dtype = x1.shape, x1.dtype
    f = lambda x: G(gradient(net, x, False))
    guess = rk2(f, x1, dt).detach()

    def residual(flat):
        x2 = torch.from_numpy(flat).view(shape).to(x1.device, dtype)
        r = G(discrete_gradient(net, x2, x1, False)) - (x2 - x1) / dt
        return r.detach().double().cpu().numpy().reshape(-1)

    with warnings.catch_warnings():  # xtol 1e-12 is below float32 resolution, as in the original
        warnings.simplefilter("ignore", RuntimeWarning)
        sol = scipy.optimize.fsolve(residual, guess.double().cpu().numpy().reshape(-1), xtol=xtol)
    return torch.from_numpy(sol).view(shape).to(x1.device, dtype)


def sync():
    """Waits for the GPU's queued work, so a timed call ends when its kernels do."""
    if DEVICE[0].type == "cuda":
        torch.cuda.synchronize()


def timed(fn, seconds, min_reps=3):
    """Median per-call time over repetitions of ≥ `seconds`/3 each, after one warm-up call."""
    fn()
    sync()
    reps = []
    for _ in range(min_reps):
        t0, n = time.perf_counter(), 0
        while True:
            fn()
            sync()
            n += 1
            el = time.perf_counter() - t0
            if el >= seconds / min_reps:
                break
        reps.append(el / n)
    return float(np.median(reps))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", default="mass_spring,two_body,kdv,cahn_hilliard")
    p.add_argument("--schemes", default="dg,rk2,dopri5")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=6.0, help="time per measurement")
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-8)
    p.add_argument("--predict", action="store_true", help="also time prediction steps")
    p.add_argument("--device", default="cpu", help="cpu or cuda (the benchmark's GPU rows)")
    a = p.parse_args()
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit(f"error: device '{a.device}' requested but CUDA is not available")
    DEVICE[0] = torch.device(a.device)
    torch.set_num_threads(a.threads)
    for name in a.cases.split(","):
        if name not in CASES:
            sys.exit(f"error: unknown case '{name}' (known: {', '.join(CASES)})")
        for scheme in a.schemes.split(","):
            if scheme not in ("dg", "rk2", "dopri5"):
                sys.exit(f"error: unknown scheme '{scheme}' (known: dg, rk2, dopri5)")
            step, stats = train_iterations(name, scheme, 0, a.rtol, a.atol, 0)
            sec = timed(step, a.seconds)
            rec = {"side": "pytorch", "kind": "train", "case": name, "scheme": scheme,
                   "seconds_per_iteration": sec, "iterations_per_second": 1.0 / sec,
                   "threads": a.threads, "device": a.device}
            if scheme == "dopri5":
                its = max(1, stats["iterations"])
                rec["dopri5_substeps_per_iteration"] = stats["substeps"] / its
                rec["dopri5_rejected_per_iteration"] = stats["rejected"] / its
            print(json.dumps(rec), flush=True)
        if a.predict and CASES[name][0] != "conv2d":
            batch = 15 if CASES[name][0] == "mlp" else 10
            net, G, x, dt = predict_setup(name, batch, 0)
            with torch.no_grad():
                f = lambda u: G(gradient(net, u, False))
                for method, fn in (("fsolve", lambda: fsolve_step(net, G, x, dt)),
                                   ("rk4", lambda: rk4(f, x, dt))):
                    sec = timed(fn, a.seconds / 2)
                    print(json.dumps({"side": "pytorch", "kind": "predict", "case": name,
                                      "scheme": method, "batch": batch,
                                      "seconds_per_step": sec, "threads": a.threads,
                                      "device": a.device}), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""enflow's exact discrete gradient inside a hand-written PyTorch training loop.

A pendulum's energy H(q, p) = p²/2 + (1 − cos q) is learned from pairs (u0, u1) one step dt
apart with the DGNet loss ‖(u1 − u0)/dt − J ∇̄H_θ(u1, u0)‖², where ∇̄H_θ is enflow's discrete
gradient of a network converted once from torch.nn; torch.optim.Adam trains through it.
Then the implicit scheme u1 = u0 + dt J ∇̄H_θ(u1, u0), solved here by fixed-point iteration,
keeps H_θ to rounding along the orbit — whatever the step size.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/own_training_loop.py [--iterations N]
"""
import argparse

import torch

import enflow

torch.set_default_dtype(torch.float64)
J = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])


def pendulum_pairs(n, dt, seed=0):
    """(u0, u1): states and their exact successors (fine RK4 substeps)."""
    g = torch.Generator().manual_seed(seed)
    u0 = torch.stack([torch.empty(n).uniform_(-2.0, 2.0, generator=g),
                      torch.empty(n).uniform_(-1.5, 1.5, generator=g)], 1)
    f = lambda u: torch.stack([u[:, 1], -torch.sin(u[:, 0])], 1)  # noqa: E731
    u, h = u0.clone(), dt / 20
    for _ in range(20):
        k1 = f(u); k2 = f(u + h / 2 * k1); k3 = f(u + h / 2 * k2); k4 = f(u + h * k3)  # noqa: E702
        u = u + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return u0, u


def implicit_step(H, u0, dt, tol=1e-14, max_iter=200):
    """Solves u1 = u0 + dt J ∇̄H(u1, u0) by fixed-point iteration (contractive for small dt)."""
    u1 = u0.clone()
    for _ in range(max_iter):
        new = u0 + dt * enflow.discrete_gradient(H, u1, u0) @ J.T
        if (new - u1).abs().max() < tol:
            return new
        u1 = new
    return u1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=3000)
    args = ap.parse_args()
    torch.manual_seed(0)
    dt = 0.1
    u0, u1 = pendulum_pairs(1024, dt)

    net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64),
                              torch.nn.Tanh(), torch.nn.Linear(64, 1))
    H = enflow.nn.from_torch(net)  # shares net's parameters
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for it in range(1, args.iterations + 1):
        opt.zero_grad()
        dg = enflow.discrete_gradient(H, u1, u0, create_graph=True)
        loss = ((u1 - u0) / dt - dg @ J.T).pow(2).mean()
        loss.backward()
        opt.step()
        if it % max(1, args.iterations // 10) == 0 or it == args.iterations:
            print(f"iter {it:5d}  loss {loss.item():.3e}")

    # The learned energy along an implicit orbit: constant to rounding.
    u = torch.tensor([[1.0, 0.0]])
    energies, qs = [H(u).item()], [1.0]
    for _ in range(200):
        u = implicit_step(H, u, dt)
        energies.append(H(u).item())
        qs.append(u[0, 0].item())
    drift = max(abs(e - energies[0]) for e in energies)
    print(f"learned energy drift over 200 implicit steps: {drift:.2e}")
    # The true orbit from (1, 0) swings between q = -1 and 1.
    print(f"learned orbit swings between q = {min(qs):.3f} and {max(qs):.3f} (true: -1 and 1)")
    if drift > 1e-10:
        raise SystemExit("the learned energy was not kept")


if __name__ == "__main__":
    main()

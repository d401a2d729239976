"""Largest relative difference between the parameters of two enflow model files (and,
optionally, between the loss curves of two `enflow train --json` results); exits 1 above
the tolerance. Usage: compare_models.py TOL A.pt B.pt [A.json B.json]"""
import json
import sys

import torch


def params(path):
    m = torch.jit.load(path)
    return dict(m.named_parameters())


def rel(a, b):
    scale = max(float(a.abs().max()), float(b.abs().max()), 1e-300)
    return float((a - b).abs().max()) / scale


tol = float(sys.argv[1])
pa, pb = params(sys.argv[2]), params(sys.argv[3])
if pa.keys() != pb.keys():
    sys.exit(f"parameters differ in name: {sorted(pa)} vs {sorted(pb)}")
worst = max(rel(pa[k].detach(), pb[k].detach()) for k in pa)
line = f"parameters: relative max difference {worst:.3e}"
if len(sys.argv) > 5:
    ca = json.load(open(sys.argv[4]))["loss_curve"]
    cb = json.load(open(sys.argv[5]))["loss_curve"]
    if len(ca) != len(cb):
        sys.exit(f"loss curves differ in length: {len(ca)} vs {len(cb)}")
    curve = rel(torch.tensor(ca, dtype=torch.float64), torch.tensor(cb, dtype=torch.float64))
    worst = max(worst, curve)
    line += f"; loss curve {curve:.3e} ({len(ca)} points)"
print(line)
sys.exit(0 if worst <= tol else 1)

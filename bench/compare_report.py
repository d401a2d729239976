#!/usr/bin/python3
"""Formats scripts/bench-compare.sh's measurements as the markdown tables of docs/performance.md.

Usage: bench/compare_report.py DIR   (DIR holds enflow.json, dg.json, pytorch.jsonl,
pytorch_malloc.jsonl, machine.txt). Writes markdown on stdout.
"""
import json
import os
import sys

WIDTH = 200
CASES = {  # name: (conv?, dim, grid points, dtype, batch)
    "mass_spring": (False, 2, 1, "float32", 2475),
    "two_body": (False, 8, 1, "float32", 200),
    "kdv": (True, 50, 50, "float64", 200),
    "cahn_hilliard": (True, 50, 50, "float64", 200),
}


def forward_flops(case):
    """Matrix-multiply FLOPs of one energy evaluation per batch (elementwise work excluded)."""
    conv, d, L, _, B = CASES[case]
    per_point = 2 * (3 * WIDTH + WIDTH * WIDTH + WIDTH) if conv else 2 * (d * WIDTH + WIDTH * WIDTH + WIDTH)
    return B * L * per_point


def train_flops(case, scheme, substeps=1.0):
    """Forward-pass multiples (F = one energy evaluation): gradient 2F, discrete gradient
    3F (u and v forward, one reverse); back-propagation through an evaluation costs about
    twice its matmuls. DG: 3F + 6F; RK2: two gradients, 4F + 8F; Dormand–Prince per
    substep: 7 gradients forward (14F), 6 differentiated through (24F)."""
    F = forward_flops(case)
    return F * {"dg": 9.0, "rk2": 12.0, "dopri5": 38.0 * substeps}[scheme]


def load_bench(path):
    out = {}
    with open(path) as f:
        data = json.load(f)
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        run = b.get("run_name", b["name"]).split("/real_time")[0]
        out[b.get("label") or run] = b
        out[run] = b
    return out


def load_jsonl(path):
    if not os.path.exists(path):
        return {}
    recs = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            recs[(r["kind"], r["case"], r["scheme"])] = r
    return recs


def ms(b):
    unit = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
    return b["real_time"] * unit * 1e3


def main():
    d = sys.argv[1]
    en = load_bench(os.path.join(d, "enflow.json"))
    dg = load_bench(os.path.join(d, "dg.json"))
    py = load_jsonl(os.path.join(d, "pytorch.jsonl"))
    pym = load_jsonl(os.path.join(d, "pytorch_malloc.jsonl"))
    peak = {}
    for k, b in en.items():
        if k.startswith("BM_Matmul"):
            peak["float32" if k.endswith("/32") else "float64"] = b["GFLOP/s"]
    print("### Training iterations per second\n")
    print("| case | scheme | enflow it/s | PyTorch it/s | PyTorch it/s, tuned (malloc, enflow's BLAS threads) | enflow / best PyTorch | enflow GFLOP/s | % of matmul peak |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for case in CASES:
        for scheme in ("dg", "rk2", "dopri5"):
            b = en.get(f"{case}/{scheme}")
            p, pm = py.get(("train", case, scheme)), pym.get(("train", case, scheme))
            if not b:
                continue
            its = b["it/s"]
            best = max([r["iterations_per_second"] for r in (p, pm) if r] or [float("nan")])
            sub = b.get("substeps", 1.0)
            gf = train_flops(case, scheme, sub) * its / 1e9
            name = {"dg": "DGNet (discrete gradient)", "rk2": "HNN, RK2" if not CASES[case][0] else "HNN++, RK2",
                    "dopri5": ("HNN" if not CASES[case][0] else "HNN++") + f", Dormand–Prince ({sub:g} substep{'s' if sub != 1 else ''})"}[scheme]
            fmt = lambda r: f"{r['iterations_per_second']:.3g}" if r else "–"
            print(f"| {case} ({CASES[case][3]}) | {name} | {its:.3g} | {fmt(p)} | {fmt(pm)} | **{its / best:.2f}×** | "
                  f"{gf:.1f} | {100 * gf / peak.get(CASES[case][3], float('nan')):.0f}% |")
    print("\n### Prediction, milliseconds per step\n")
    print("| case | enflow Newton (implicit DG scheme) | PyTorch fsolve, FD Jacobian | speed-up | enflow RK4 | PyTorch RK4 | speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for case in CASES:
        bn, br = en.get(f"{case}/newton"), en.get(f"{case}/rk4")
        pn, pr = py.get(("predict", case, "fsolve")), py.get(("predict", case, "rk4"))
        if not (bn and br):
            continue
        f = lambda r: r["seconds_per_step"] * 1e3 if r else float("nan")
        print(f"| {case} (batch {pn['batch'] if pn else '?'}) | {ms(bn):.3g} | {f(pn):.4g} | {f(pn) / ms(bn):.0f}× | "
              f"{ms(br):.3g} | {f(pr):.3g} | {f(pr) / ms(br):.1f}× |")
    print("\n### Discrete gradient against the ordinary gradient (enflow, ms per call)\n")
    print("| network | use | gradient | discrete gradient | ratio |")
    print("|---|---|---:|---:|---:|")
    for kind, net in ((0, "2-200-200-1 tanh MLP, batch 1000, float64"), (1, "periodic conv, 200 channels, 200×50, float64")):
        for graph, use in ((0, "evaluation"), (1, "training (graph kept, then backward)")):
            g, q = dg.get(f"BM_Gradient/{kind}/{graph}/1"), dg.get(f"BM_DiscreteGradient/{kind}/{graph}/1")
            if g and q:
                print(f"| {net} | {use} | {ms(g):.3g} | {ms(q):.3g} | **{ms(q) / ms(g):.2f}×** |")
    print("\nMatrix-multiply peak (torch::mm, 1024×1024 on the CPU on the same threads, 8192×8192 on a GPU): " +
          ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in sorted(peak.items())) + ".")


if __name__ == "__main__":
    main()

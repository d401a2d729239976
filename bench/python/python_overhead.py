#!/usr/bin/python3
"""What calling enflow from Python costs (issue 29, docs/python.md#performance).

In one run, on the 2-200-200-1 tanh MLP and DGNet's mass-spring pairs (2475, full batch):
  * enflow from Python — enflow.discrete_gradient(H, u1, u0), and one iteration of a
    hand-written PyTorch training loop through it (zero_grad, ∇̄H with the graph, DGNet loss,
    backward, torch.optim.Adam step);
  * the same operations from C++ (build/bench/python_counterpart_bench, the library called
    directly);
  * the PyTorch reference implementation of DGNet (bench/pytorch/dgnet_reference.py: the
    authors' discrete autograd), the same two operations, in processes of their own: as its
    users run it (glibc's defaults) and tuned (enflow's allocator settings and BLAS).
Rounds alternate the sides so that drift of a shared machine hits all of them; the table gives
median times and the medians over rounds of each round's ratios Python/C++ (goal ≤ 1.05) and
best reference/Python (goal ≥ 3). The Python side uses the OpenMP OpenBLAS that enflow's executables load (decision 42):
the script restarts itself with LD_LIBRARY_PATH pointing there, as docs/python.md advises.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/python_overhead.py [--rounds 5]

Writes OUT/python_overhead.json and OUT/table.md (default OUT: build/bench-python).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "pytorch"))
import dgnet_reference as ref  # noqa: E402

OPENMP_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
TUNED_MALLOC = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "1099511627776"}

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def pairs(dtype):
    """The deterministic pairs of the C++ benchmarks and the reference (same formula)."""
    n, dt = 2475, 20.0 / 99
    i = torch.arange(n, dtype=torch.float64).view(-1, 1)
    j = torch.arange(2, dtype=torch.float64).view(1, -1)
    u0 = 0.8 * torch.sin(0.37 * i + 1.3 * j)
    u1 = u0 + dt * 0.5 * torch.cos(0.23 * i + 0.7 * j)
    return u0.to(dtype), u1.to(dtype), dt


def timed(fn, seconds):
    """Mean seconds per call over ≥ `seconds` of calls, after two warm-up calls."""
    fn()
    fn()
    t0, n = time.perf_counter(), 0
    while True:
        fn()
        n += 1
        el = time.perf_counter() - t0
        if el >= seconds:
            return el / n


enflow = None  # imported in main(), after the BLAS is chosen


def enflow_ops(dtype):
    torch.manual_seed(0)
    H = enflow.nn.mlp(2, [200, 200], activation="tanh", dtype=dtype)
    u0, u1, dt = pairs(dtype)
    J = torch.tensor([[0.0, 1.0], [-1.0, 0.0]], dtype=dtype)
    target = (u1 - u0) / dt
    opt = torch.optim.Adam(H.parameters(), lr=1e-3)

    def dgrad():
        enflow.discrete_gradient(H, u1, u0)

    def iteration():
        opt.zero_grad()
        dg = enflow.discrete_gradient(H, u1, u0, create_graph=True)
        loss = (target - dg @ J.T).pow(2).mean()
        loss.backward()
        opt.step()
        loss.item()

    return {"discrete_gradient": dgrad, "train_iteration": iteration}


def reference_ops(dtype):
    torch.manual_seed(0)
    net = ref.Mlp(2).to(dtype)
    u0, u1, _ = pairs(dtype)
    ref.CASES["bench_case"] = ("mlp", 2, "symplectic", dtype, 2475, 0, 20.0 / 99, 1.0)
    step, _ = ref.train_iterations("bench_case", "dg", 0, 1e-6, 1e-8, 0)

    def dgrad():
        ref.discrete_gradient(net, u1, u0, False)

    return {"discrete_gradient": dgrad, "train_iteration": step}


def reference_child(seconds):
    """--reference-child: times the reference's operations in this process, prints JSON."""
    out = {}
    for d, dtype in DTYPES.items():
        for op, fn in reference_ops(dtype).items():
            out[f"{op}/{d}"] = timed(fn, seconds)
    print(json.dumps(out))


def reference_run(seconds, threads, tuned):
    """{(op, dtype): seconds} of the reference in a fresh process (tuned: enflow's settings)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the reference does not import enflow
    for k in TUNED_MALLOC:
        env.pop(k, None)
    env.pop("LD_LIBRARY_PATH", None)
    if tuned:
        env.update(TUNED_MALLOC)
        if Path(OPENMP_BLAS).is_dir():
            env["LD_LIBRARY_PATH"] = OPENMP_BLAS
            env["OPENBLAS_NUM_THREADS"] = str(threads)
    r = subprocess.run([sys.executable, __file__, "--reference-child", "--seconds", str(seconds),
                        "--threads", str(threads)], capture_output=True, text=True, env=env,
                       check=True)
    return {tuple(k.split("/")): v for k, v in json.loads(r.stdout).items()}


def cpp_ops(binary, seconds):
    """{(op, dtype): seconds per call} from the C++ counterpart benchmark (one process)."""
    r = subprocess.run([str(binary), f"--benchmark_min_time={seconds}", "--benchmark_format=json"],
                       capture_output=True, text=True, check=True)
    out = {}
    for b in json.loads(r.stdout)["benchmarks"]:
        name, arg = b["name"].split("/")[:2]
        op = "discrete_gradient" if "DiscreteGradient" in name else "train_iteration"
        scale = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        out[(op, "float32" if arg == "0" else "float64")] = b["real_time"] * scale
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("ENFLOW_NUM_THREADS", "0")
                                                        or os.cpu_count()))
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--out", default=str(ROOT / "build" / "bench-python"))
    ap.add_argument("--reference-child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.reference_child:
        return reference_child(a.seconds)
    if Path(OPENMP_BLAS).is_dir() and OPENMP_BLAS not in os.environ.get("LD_LIBRARY_PATH", ""):
        env = dict(os.environ, LD_LIBRARY_PATH=OPENMP_BLAS)  # before torch loads its BLAS
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    os.environ["ENFLOW_NUM_THREADS"] = str(a.threads)
    global enflow
    import enflow  # applies enflow's thread, BLAS and allocator settings to this process
    binary = Path(a.build) / "bench" / "python_counterpart_bench"
    if not binary.is_file():
        sys.exit(f"error: {binary} not found: build the benchmarks (bash scripts/build.sh)")

    python_side = {d: enflow_ops(DTYPES[d]) for d in DTYPES}
    samples = {}  # (side, op, dtype) -> [seconds]
    for r in range(a.rounds):
        for (op, d), sec in cpp_ops(binary, a.seconds).items():
            samples.setdefault(("cpp", op, d), []).append(sec)
        for d, ops in python_side.items():
            for op, fn in ops.items():
                samples.setdefault(("python", op, d), []).append(timed(fn, a.seconds))
        for side, tuned in (("reference", False), ("reference_tuned", True)):
            for (op, d), sec in reference_run(a.seconds, a.threads, tuned).items():
                samples.setdefault((side, op, d), []).append(sec)
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr, flush=True)

    # Ratios are paired within a round (the sides ran minutes apart at most) and then the
    # median over rounds: drift of a shared machine cancels; the spread is reported.
    med = {k: statistics.median(v) for k, v in samples.items()}

    def paired(num, den, op, d):
        return [x / y for x, y in zip(samples[(num, op, d)], samples[(den, op, d)])]

    rows = []
    for op in ("discrete_gradient", "train_iteration"):
        for d in DTYPES:
            over_cpp = paired("python", "cpp", op, d)
            best_ref = [min(f, ft) / p for f, ft, p in zip(samples[("reference", op, d)],
                                                           samples[("reference_tuned", op, d)],
                                                           samples[("python", op, d)])]
            rows.append({"op": op, "dtype": d, "cpp_ms": med[("cpp", op, d)] * 1e3,
                         "python_ms": med[("python", op, d)] * 1e3,
                         "reference_ms": med[("reference", op, d)] * 1e3,
                         "reference_tuned_ms": med[("reference_tuned", op, d)] * 1e3,
                         "python_over_cpp": statistics.median(over_cpp),
                         "python_over_cpp_rounds": over_cpp,
                         "reference_over_python": statistics.median(best_ref),
                         "reference_over_python_rounds": best_ref})
    os.makedirs(a.out, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "threads": a.threads,
            "rounds": a.rounds, "seconds": a.seconds, "torch": torch.__version__,
            "enflow": enflow.__version__, "runtime": enflow.runtime_info()}
    Path(a.out, "python_overhead.json").write_text(json.dumps({"meta": meta, "rows": rows},
                                                              indent=1) + "\n")
    lines = ["| operation | dtype | C++ (ms) | Python (ms) | **Python / C++** (rounds' range) "
             "| PyTorch reference (ms) | reference, tuned (ms) | **best reference / Python** |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lo, hi = min(r["python_over_cpp_rounds"]), max(r["python_over_cpp_rounds"])
        lines.append(f"| {r['op'].replace('_', ' ')} | {r['dtype']} | {r['cpp_ms']:.2f} | "
                     f"{r['python_ms']:.2f} | **{r['python_over_cpp']:.3f}** ({lo:.2f}–{hi:.2f}) | "
                     f"{r['reference_ms']:.2f} | {r['reference_tuned_ms']:.2f} | "
                     f"**{r['reference_over_python']:.2f}×** |")
    table = "\n".join(lines) + "\n"
    Path(a.out, "table.md").write_text(table)
    print(table)
    print(f"({a.threads} threads, {a.rounds} rounds: times are medians, ratios medians of the "
          f"rounds' paired ratios; {a.out}/python_overhead.json)")


if __name__ == "__main__":
    main()

"""Strong and weak scaling of data-parallel training under NCCL (docs/distributed.md): a
model, not a measurement. Inputs: the compute time per sample of one CPU core and the
gradient bytes per allreduce, measured on the 2-core development machine, and published NCCL
numbers (bus bandwidth, small-message allreduce time), each labelled below. Prints the
tables of docs/distributed.md:

    python3 bench/scaling_model.py

Per iteration on W ranks:
    T(W) = c·b / s + 2·α(W) + 2(W−1)/W · S / β(W)
b samples per rank (B/W at a fixed global batch B: strong scaling; fixed b: weak scaling),
c seconds per sample on one CPU core (measured), s the speed-up of one GPU over that core
(an assumption: 1 and 30 are shown), S gradient bytes (measured), two allreduces per
iteration (the bucketed gradients and the loss scalar, each at least α), β(W) the ring bus
bandwidth (busbw = algbw · 2(W−1)/W, nccl-tests doc/PERFORMANCE.md).
Efficiency: strong T(1)/(W·T(W)); weak (c·b/s)/T(W).
"""

NETS = [
    # bench/distributed_bench.sh, 1 process x 1 thread: 63.5 iterations/s at batch 64
    # (periodic_conv D, 32 channels, 64 points, float32); 4,872 gradient bytes.
    ("KdV DGNet, 1,218 parameters (float32)", 1 / 63.5 / 64, 4872, 64),
    # docs/performance.md: 2-D periodic conv, 64 channels, 64x64 grid, discrete-gradient
    # training step, float64: 1488 ms per batch of 32 on one core; 4,864 parameters.
    # Global batch 64 here (per-sample time as measured at 32).
    ("2-D conv DGNet 64x64, 4,864 parameters (float64)", 1.488 / 32, 4864 * 8, 64),
]

# Published NCCL numbers (assumptions of the model, not measured here; docs/distributed.md):
#  8 GPUs = one H100 node, NVLink + NVSwitch: ring busbw ~370 GB/s (NVIDIA/nccl-tests#212,
#    S. Jeaugey: "NCCL can get an effective NVLink bandwidth of 370GB/s");
#    small-message allreduce ~15 us (published nccl-tests logs: 6-18 us within a machine).
#  64 GPUs = 8 nodes, one 400 Gb/s NDR NIC per GPU: busbw ~46 GB/s ("46-48GB/s per NIC",
#    NVIDIA/nccl-tests#290); small-message allreduce ~60 us (NVIDIA/nccl#1453: 61.6 us
#    measured for 128 bytes on an H100 cluster, NCCL's own estimate 25 us).
NCCL = {1: (0.0, float("inf")), 8: (15e-6, 370e9), 64: (60e-6, 46e9)}


def t_iter(c, S, b, W, s):
    alpha, beta = NCCL[W]
    comm = 0.0 if W == 1 else 2 * alpha + 2 * (W - 1) / W * S / beta
    return c * b / s + comm, comm


def fmt_t(t):
    return f"{t * 1e3:.3g} ms" if t >= 1e-3 else f"{t * 1e6:.3g} µs"


print("| network | speed-up s | W | strong: per-rank batch | T(W) | allreduce | efficiency |"
      " weak: T(W) | efficiency |")
print("|---|---|---|---|---|---|---|---|---|")
for name, c, S, B in NETS:
    for s in (1, 30):
        t1, _ = t_iter(c, S, B, 1, s)
        for W in (8, 64):
            b = B / W
            ts, comm = t_iter(c, S, b, W, s)
            tw, _ = t_iter(c, S, B, W, s)
            print(f"| {name} | {s} | {W} | {b:g} | {fmt_t(ts)} | {fmt_t(comm)} | "
                  f"{t1 / (W * ts):.0%} | {fmt_t(tw)} | {c * B / s / tw:.0%} |")

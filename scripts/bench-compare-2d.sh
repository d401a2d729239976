#!/usr/bin/env bash
# The 2-D DGNet training iteration, enflow against the PyTorch reference (issue 31): a 32 x 32
# periodic grid, 3 x 3 conv energy of 16 channels, G = Δ_h, batch 16, float64, the same
# network and data on both sides (bench/training_step_bench.cpp case cahn_hilliard_2d,
# bench/pytorch/dgnet_reference.py --cases cahn_hilliard_2d). Each side runs in its own
# process, alternating ROUNDS times; the time per iteration is each run's own (median of
# its repetitions), the peak memory the process's RSS high-water mark (/usr/bin/time %M).
# Prints one line per run and the median ratio. Needs build/bench/training_step_bench.
# Usage: ENFLOW_NUM_THREADS=1 scripts/bench-compare-2d.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
threads=${ENFLOW_NUM_THREADS:-1}
export ENFLOW_NUM_THREADS=$threads
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq "$rounds"); do
  /usr/bin/time -f %M -o "$tmp/en.rss" build/bench/training_step_bench \
    --benchmark_filter='BM_Train/4/0' --benchmark_repetitions=3 --benchmark_min_time=2 \
    --benchmark_format=json > "$tmp/en.json"
  /usr/bin/time -f %M -o "$tmp/py.rss" /usr/bin/python3 bench/pytorch/dgnet_reference.py \
    --cases cahn_hilliard_2d --schemes dg --threads "$threads" --seconds 6 > "$tmp/py.jsonl"
  /usr/bin/python3 - "$tmp" "$r" <<'PY'
import json, sys
d, r = sys.argv[1], sys.argv[2]
en = json.load(open(f"{d}/en.json"))["benchmarks"]
med = [b for b in en if b.get("aggregate_name") == "median"][0]
en_s = 1.0 / med["it/s"]
py_s = json.loads(open(f"{d}/py.jsonl").read().splitlines()[-1])["seconds_per_iteration"]
rss = lambda f: int(open(f).read().split()[-1]) / 1024
print(f"round {r}: enflow {en_s * 1e3:.1f} ms/it, peak RSS {rss(f'{d}/en.rss'):.0f} MiB; "
      f"PyTorch {py_s * 1e3:.1f} ms/it, peak RSS {rss(f'{d}/py.rss'):.0f} MiB; "
      f"PyTorch / enflow time {py_s / en_s:.2f}x")
PY
done

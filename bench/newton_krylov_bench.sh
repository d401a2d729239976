#!/usr/bin/env bash
# Dense Newton against Newton–Krylov, one implicit DGNet prediction step per grid, each case
# in its own process so that its peak RSS (VmHWM) is its own. One thread, nice'd.
# Usage: bash bench/newton_krylov_bench.sh [build-dir]   (ENFLOW_NK_DENSE_MAX=32: the
# largest n the dense case runs at; above it the dense memory is only estimated)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/bench/newton_krylov_bench
dense_max=${ENFLOW_NK_DENSE_MAX:-32}
echo "| grid | d | solver | CPU time per step (ms) | Newton its | JVPs | peak RSS (MiB) | RSS before step (MiB) |"
echo "|---|---|---|---|---|---|---|---|"
for n in 16 32 64 128; do
  for s in 0 1; do
    name=$([ "$s" = 0 ] && echo dense || echo gmres)
    d=$((n * n))
    if [ "$s" = 0 ] && [ "$n" -gt "$dense_max" ]; then
      # The [d, d] Jacobian and its inverse alone, batch 1, float64 (a lower bound: the d
      # copies through the network cost more, see docs/grids.md).
      est=$(awk -v d="$d" 'BEGIN {printf "%.2f", 2 * d * d * 8 / 2^30}')
      echo "| ${n}² | $d | dense | skipped | | | > $est GiB (J and J⁻¹ alone) | |"
      continue
    fi
    ENFLOW_NUM_THREADS=1 nice -n 10 "$bin" --benchmark_filter="BM_NewtonStep/$n/$s/" \
      --benchmark_format=json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
b = json.load(sys.stdin)["benchmarks"][0]
print("| {n}² | {d} | {s} | {t:.1f} | {it:.0f} | {j:.0f} | {p:.0f} | {r:.0f} |".format(
    n=sys.argv[1], d=sys.argv[2], s=sys.argv[3], t=b["cpu_time"], it=b["newton"], j=b["jvps"],
    p=b["peak_rss_MiB"], r=b["rss_before_MiB"]))' "$n" "$d" "$name"
  done
done

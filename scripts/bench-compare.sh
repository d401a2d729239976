#!/usr/bin/env bash
# Side-by-side benchmark of enflow against the PyTorch reference (bench/pytorch/), in one
# run on this machine, same thread count. Writes the raw measurements to DIR (default
# build/bench-compare) and the markdown tables to DIR/tables.md (docs/performance.md quotes
# them). Takes ~20 minutes on 2 cores. Usage: scripts/bench-compare.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench-compare}
threads=${ENFLOW_NUM_THREADS:-$(nproc)}
mkdir -p "$out"
bash scripts/build.sh > "$out/build.log"
# enflow's BLAS (decision 42): `enflow info` says which OpenBLAS the executables loaded and
# on how many threads init_threads puts it (ENFLOW_BLAS_THREADS, if set, is honoured). The
# tuned reference gets the same library and thread count.
export ENFLOW_NUM_THREADS=$threads
info=$(build/enflow info --json)
field() { /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$info" "$1"; }
blas=$(field blas_threads)
[ "$blas" -gt 0 ] || blas=1  # not OpenBLAS: the setting is unused
omp_blas=""
[ "$(field blas_threading)" = openmp ] && omp_blas=$(dirname "$(field blas_library)")
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(field cpu), $(nproc) cores"
  echo "threads: $threads (LibTorch), OpenBLAS $blas ($(field blas_threading) build, $(readlink -f "$(field blas_library)"))"
  echo "blas config: $(field blas_config)"
  /usr/bin/python3 -c 'import torch; print("pytorch:", torch.__version__)'
} > "$out/machine.txt"
export ENFLOW_BLAS_THREADS=$blas
echo "[1/4] enflow training and prediction (build/bench/training_step_bench)"
build/bench/training_step_bench --benchmark_repetitions=3 --benchmark_min_time=2 \
  --benchmark_format=json > "$out/enflow.json"
echo "[2/4] enflow discrete gradient vs gradient (build/bench/discrete_gradient_bench)"
build/bench/discrete_gradient_bench --benchmark_filter='/1$' --benchmark_repetitions=3 \
  --benchmark_min_time=1 --benchmark_format=json > "$out/dg.json"
echo "[3/4] PyTorch reference, glibc malloc defaults"
/usr/bin/python3 bench/pytorch/dgnet_reference.py --threads "$threads" --predict > "$out/pytorch.jsonl"
echo "[4/4] PyTorch reference, with the settings enflow applies to itself (runtime.h:"
echo "      tune_allocator, and the same OpenBLAS build and thread count)"
LD_LIBRARY_PATH=${omp_blas}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1099511627776 OPENBLAS_NUM_THREADS=$blas \
  /usr/bin/python3 bench/pytorch/dgnet_reference.py --threads "$threads" > "$out/pytorch_malloc.jsonl"
{
  cat "$out/machine.txt" | sed 's/^/    /'
  echo
  /usr/bin/python3 bench/compare_report.py "$out"
} > "$out/tables.md"
echo "tables: $out/tables.md"

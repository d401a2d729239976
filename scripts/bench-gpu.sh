#!/usr/bin/env bash
# The GPU rows of docs/performance.md (issue 5): enflow against the PyTorch reference on one
# CUDA GPU, in one run. For a machine with a GPU, PyTorch 2.x (python3), CMake and a compiler:
#   bash scripts/fetch-device-deps.sh             # beforehand, on a Debian machine: .devdeps/
#   bash scripts/bench-gpu.sh [DIR]                # there, with .devdeps carried along
# Builds enflow's benchmarks against that PyTorch's libtorch (HDF5 off: the benchmarks make
# their own data), checks the CUDA path (`enflow demo --device cuda`), then times training
# iterations, the matrix-multiply peak and the discrete gradient on the GPU for both sides.
# Writes DIR (default $OUT, else build-gpu/bench-compare): tables.md and the raw JSON.
# About 8 minutes on an H100/H200 machine; SECONDS_PER_CASE shortens the reference's timing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-build-gpu/bench-compare}}
mkdir -p "$out"
py=${PYTHON:-python3}
torch_prefix=$("$py" -c 'import torch; print(torch.utils.cmake_prefix_path)')
deps="$PWD/.devdeps/usr"
[ -d "$deps" ] || { echo "bench-gpu: no .devdeps/ (run scripts/fetch-device-deps.sh where apt works)" >&2; exit 1; }
export LD_LIBRARY_PATH="$deps/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
echo "[1/5] configure and build (log: $out/build.log)"
{
  cmake -S . -B build-gpu "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DENFLOW_BUILD_TESTS=OFF -DENFLOW_BUILD_PYTHON=OFF \
    -DENFLOW_WITH_HDF5=OFF -DCMAKE_PREFIX_PATH="$torch_prefix;$deps"
  cmake --build build-gpu -j "$(nproc)" --target enflow training_step_bench discrete_gradient_bench
} > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
{
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu: /'
  build-gpu/enflow info | sed 's/^/enflow info: /'
  "$py" -c 'import torch; print("pytorch:", torch.__version__, "cuda", torch.version.cuda)'
} > "$out/machine.txt"
cat "$out/machine.txt"
# One device session is short: a step that fails is recorded and the next one still runs.
try() { "$@" || echo "failed (exit $?): ${*:2}" | tee -a "$out/failures.txt" >&2; }
to() { local f="$1"; shift; "$@" > "$f"; }
echo "[2/5] the CUDA path: discrete-gradient demo on the GPU"
try to "$out/demo.txt" build-gpu/enflow demo --device cuda --steps 50
cat "$out/demo.txt"
export ENFLOW_BENCH_DEVICE=cuda
echo "[3/5] enflow training iterations and matrix-multiply peak on the GPU"
try to "$out/enflow.json" build-gpu/bench/training_step_bench \
  --benchmark_filter='BM_Train|BM_Matmul' --benchmark_repetitions=3 --benchmark_min_time=1 \
  --benchmark_format=json
echo "[4/5] enflow discrete gradient vs gradient on the GPU"
try to "$out/dg.json" build-gpu/bench/discrete_gradient_bench --benchmark_filter='/1$' \
  --benchmark_repetitions=3 --benchmark_min_time=0.5 --benchmark_format=json
echo "[5/5] PyTorch reference on the GPU"
try to "$out/pytorch.jsonl" "$py" bench/pytorch/dgnet_reference.py --device cuda \
  --seconds "${SECONDS_PER_CASE:-4}"
if {
  sed 's/^/    /' "$out/machine.txt"
  echo
  "$py" bench/compare_report.py "$out"
} > "$out/tables.md"; then
  cat "$out/tables.md"
else
  echo "bench-gpu: no tables (a benchmark above failed; its raw output is in $out)" >&2
fi
[ ! -s "$out/failures.txt" ]

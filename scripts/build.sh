#!/usr/bin/env bash
# Configures and builds enflow (Release) into build/, binary at build/enflow.
# Extra arguments go to CMake's configure step (e.g. -DCMAKE_PREFIX_PATH=... for the
# libtorch of a PyTorch 2.x install). ENFLOW_TARGETS="enflow" builds only those targets
# (scripts/main.sh: the binary without the tests and benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
[ -f build/CMakeCache.txt ] && gen=()  # keep the generator of an existing build tree
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
# LibTorch translation units need ~1.5 GiB each to compile: one job per core, at most
# one per 2 GiB of memory.
cores=$(nproc)
mem_jobs=$(( $(awk '/MemTotal/ {print int($2/2097152)}' /proc/meminfo) ))
jobs=$(( cores < mem_jobs ? cores : mem_jobs )); (( jobs >= 1 )) || jobs=1
targets=()
for t in ${ENFLOW_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build build -j "$jobs" "${targets[@]}"

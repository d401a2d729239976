#!/usr/bin/env bash
# Data-parallel training throughput (docs/distributed.md): iterations/s of `enflow train`
# at 1 and 2 local processes (enflow launch), and the bytes each rank's allreduces move and
# the time it spends in them and in the backward pass per iteration. Not a test: numbers for
# this machine. Runs: 1 (one process, one thread), 1x2 (one process, 2 threads), 2 (2 ranks,
# one 25 MB bucket), 2b (2 ranks, small buckets, allreduce after backward), 2o (the same
# buckets started during backward: train.allreduce_overlap).
# Usage: bench/distributed_bench.sh [build/enflow] [iterations] ["1 1x2 2 2b 2o"]
set -euo pipefail
bin="${1:-build/enflow}"
iters="${2:-200}"
runs="${3:-1 1x2 2 2b 2o}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate mass-spring --series 40 --steps 100 --seed 1 -o "$work/ms.h5" >/dev/null 2>&1
"$bin" generate kdv --series 4 --steps 40 --param points=64 -o "$work/kdv.h5" >/dev/null 2>&1
cat >"$work/ms.toml" <<TOML
[data]
path = "$work/ms.h5"
[model]
type = "dgnet"
hidden = [200, 200]
[run]
dtype = "float32"
[train]
iterations = $iters
batch = 512
log_every = $iters
checkpoint_every = 0
[output]
model = "$work/m.pt"
TOML
kdv=(--set data.path="$work/kdv.h5" --set model.network=periodic_conv --set model.structure=D
     --set model.channels=32 --set train.batch=64)
metric() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r.get(sys.argv[2], 0))" "$@"; }
printf "%-34s %5s %10s %14s %16s %15s\n" case run "iter/s" "bytes/iter" "allreduce ms/it" \
  "backward ms/it"
run() {  # name run bucket_kb extra... (run "1x2": one process on 2 threads)
  local name="$1" n="$2" kb="$3"; shift 3
  local label="$n"
  case "$n" in
    2b) n=2; set -- "$@" --set train.allreduce_bucket_kb="$kb" ;;
    2o) n=2; set -- "$@" --set train.allreduce_bucket_kb="$kb" --set train.allreduce_overlap=true ;;
  esac
  if [ "$n" = 1 ]; then  # one thread, as each rank of enflow launch on 2 cores
    ENFLOW_NUM_THREADS=1 "$bin" train --config "$work/ms.toml" "$@" --json >"$work/r.json" 2>/dev/null
  elif [ "$n" = 1x2 ]; then
    ENFLOW_NUM_THREADS=2 "$bin" train --config "$work/ms.toml" "$@" --json >"$work/r.json" 2>/dev/null
  else
    "$bin" launch --nproc "$n" -- train --config "$work/ms.toml" "$@" --json >"$work/r.json" 2>/dev/null
  fi
  local s b t bw
  s=$(metric "$work/r.json" seconds)
  b=$(metric "$work/r.json" allreduce_bytes_per_iteration)
  t=$(metric "$work/r.json" allreduce_seconds_per_iteration)
  bw=$(metric "$work/r.json" backward_seconds_per_iteration)
  printf "%-34s %5s %10.1f %14.0f %16.3f %15.3f\n" "$name" "$label" \
    "$(echo "$iters / $s" | bc -l)" "$b" "$(echo "$t * 1000" | bc -l)" "$(echo "$bw * 1000" | bc -l)"
}
# Small buckets: 32 kB splits the MLP's 164 kB of gradients into 6, 1 kB the KdV's 4.9 kB into 5.
for n in $runs; do run "mass-spring mlp 200x200, batch 512" "$n" 32; done
for n in $runs; do run "kdv periodic_conv 32ch, batch 64" "$n" 1 "${kdv[@]}"; done

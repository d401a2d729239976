#!/usr/bin/env bash
# Data-parallel training throughput (docs/distributed.md): iterations/s of `enflow train`
# at 1 and 2 local processes (enflow launch), and the bytes each rank's allreduces move and
# the time it spends in them per iteration. Not a test: numbers for this machine.
# Usage: bench/distributed_bench.sh [build/enflow] [iterations]
set -euo pipefail
bin="${1:-build/enflow}"
iters="${2:-200}"
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
printf "%-34s %5s %10s %14s %16s\n" case ranks "iter/s" "bytes/iter" "allreduce ms/it"
run() {  # name nproc extra... (nproc "1x2": one process on 2 threads)
  local name="$1" n="$2"; shift 2
  if [ "$n" = 1 ]; then  # one thread, as each rank of enflow launch on 2 cores
    ENFLOW_NUM_THREADS=1 "$bin" train --config "$work/ms.toml" "$@" --json >"$work/r.json" 2>/dev/null
  elif [ "$n" = 1x2 ]; then
    ENFLOW_NUM_THREADS=2 "$bin" train --config "$work/ms.toml" "$@" --json >"$work/r.json" 2>/dev/null
  else
    "$bin" launch --nproc "$n" -- train --config "$work/ms.toml" "$@" --json >"$work/r.json" 2>/dev/null
  fi
  local s b t
  s=$(metric "$work/r.json" seconds)
  b=$(metric "$work/r.json" allreduce_bytes_per_iteration)
  t=$(metric "$work/r.json" allreduce_seconds_per_iteration)
  printf "%-34s %5s %10.1f %14.0f %16.3f\n" "$name" "$n" "$(echo "$iters / $s" | bc -l)" "$b" \
    "$(echo "$t * 1000" | bc -l)"
}
for n in 1 1x2 2; do run "mass-spring mlp 200x200, batch 512" "$n"; done
for n in 1 1x2 2; do run "kdv periodic_conv 32ch, batch 64" "$n" "${kdv[@]}"; done

#!/usr/bin/env bash
# One-step against multi-step (rollout) training, same Adam iterations, several seeds
# (issue 28): the long-term state MSE on the test series, predicted from their first state
# with the implicit discrete-gradient scheme. docs/rollout.md reports its numbers.
#
#   bash scripts/rollout-study.sh [OUT] [SEEDS]        (default results/rollout, "0 1 2")
#
# Real pendulum (Schmidt & Lipson, ../shared/data; Table 3's config, 10000 iterations):
# one-step, or one-step for 9000 and the 5-step rollout loss for the last 1000.
# Double pendulum (enflow generate double-pendulum, its own protocol; the shipped config at
# 2000 iterations): one-step, or 1800 one-step and 200 of the 5-step rollout loss.
# Needs a built tree (scripts/build.sh). About 40 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/rollout}
seeds=${2:-0 1 2}
mkdir -p "$out"
# One thread per run (ENFLOW_STUDY_THREADS): busy-waiting OpenMP threads of runs that share
# a small machine would slow every run many times over.
enflow() { ./build/enflow "$@" --threads "${ENFLOW_STUDY_THREADS:-1}"; }
metric() { /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.readlines()[-1])[sys.argv[1]])" "$1"; }

record=../shared/data/schmidt_lipson/real_pend_h_1.txt
[ -f "$out/real-pendulum.h5" ] || enflow import "$record" --columns series,t,q,p \
  --system pendulum --param k=2.4 --chunks 5 -o "$out/real-pendulum.h5"
[ -f "$out/double-pendulum.h5" ] || enflow generate double-pendulum -o "$out/double-pendulum.h5"

run() {  # name config data iterations rollout_start seed
  local name=$1 config=$2 data=$3 iters=$4 start=$5 seed=$6 extra=()
  [ "$start" -gt 0 ] && extra=(--set train.rollout=5 --set train.rollout_start="$start")
  enflow train --config "$config" --set data.path="$data" --set train.iterations="$iters" \
    --set run.seed="$seed" --set output.model="$out/$name-$seed.pt" "${extra[@]}" --json >/dev/null
  local ev; ev=$(enflow evaluate --model "$out/$name-$seed.pt" --json)
  echo "$name $seed $(echo "$ev" | metric state_mse) $(echo "$ev" | metric energy_mse)" |
    tee -a "$out/results.txt"
}

: > "$out/results.txt"
for seed in $seeds; do
  run real-onestep configs/dgnet/real-pendulum-dgnet.toml "$out/real-pendulum.h5" 10000 0 "$seed"
  run real-rollout configs/dgnet/real-pendulum-dgnet.toml "$out/real-pendulum.h5" 10000 9000 "$seed"
  run double-onestep configs/dgnet/double-pendulum-dgnet.toml "$out/double-pendulum.h5" 2000 0 "$seed"
  run double-rollout configs/dgnet/double-pendulum-dgnet.toml "$out/double-pendulum.h5" 2000 1800 "$seed"
done
# name seed state_mse energy_mse -> mean and spread per name
/usr/bin/python3 - "$out/results.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, seed, state, energy = line.split()
    rows[name].append((float(state), float(energy)))
print("| run | seeds | state MSE (mean ± std) | energy MSE (mean ± std) | state MSE per seed |")
print("|---|---|---|---|---|")
for name, v in rows.items():
    s, e = [x[0] for x in v], [x[1] for x in v]
    sd = lambda x: statistics.stdev(x) if len(x) > 1 else 0.0
    print(f"| {name} | {len(v)} | {statistics.mean(s):.3e} ± {sd(s):.1e} | "
          f"{statistics.mean(e):.3e} ± {sd(e):.1e} | {', '.join(f'{x:.3e}' for x in s)} |")
PY

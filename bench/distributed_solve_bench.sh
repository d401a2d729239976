#!/usr/bin/env bash
# Sample-parallel solvers (docs/distributed.md): wall time of `enflow solve` at 1 process and
# at 2 local processes (enflow launch, 1 thread each), and what rank 0's collectives moved
# and the time it waited in them. Not a test: numbers for this machine.
# Usage: [CASES="vmc evnn evnn_eulerian svgd svgd_h committor"] bench/distributed_solve_bench.sh
#        [build/enflow]
set -euo pipefail
bin="${1:-build/enflow}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ENFLOW_NUM_THREADS=1
metric() { /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r.get(sys.argv[2], 0))" "$@"; }
printf "%-44s %5s %8s %10s %14s %14s %12s\n" case ranks "wall s" "iter" "bytes/iter" \
  "coll. ms/iter" "error"
run() {  # name nproc iterations error-key solve-args...
  local name="$1" n="$2" it="$3" key="$4"; shift 4
  local t0 t1
  t0=$(date +%s.%N)
  if [ "$n" = 1 ]; then
    "$bin" solve "$@" --out "$work/o" --json >"$work/r.json" 2>/dev/null
  else
    "$bin" launch --nproc "$n" -- solve "$@" --out "$work/o" --json >"$work/r.json" 2>/dev/null
  fi
  t1=$(date +%s.%N)
  local b s
  b=$(metric "$work/r.json" collective_bytes)
  s=$(metric "$work/r.json" collective_seconds)
  printf "%-44s %5s %8.1f %10s %14.0f %14.3f %12.4g\n" "$name" "$n" "$(echo "$t1 - $t0" | bc -l)" \
    "$it" "$(echo "$b / $it" | bc -l)" "$(echo "$s * 1000 / $it" | bc -l)" \
    "$(metric "$work/r.json" "$key")"
}
vmc=(--config "$root/configs/variational/vmc_tfim_20.toml" --set train.iterations=100
     --set sampler.final_samples=10000 --set output.plot=false)
evnn=(--config "$root/configs/evnn/fokker_planck_2d.toml" --set particles.init=mc
      --set particles.n=4000 --set output.eval_n=8000 --set time.steps=6
      --set optimizer.max_iter=40 --set output.error_every=6)
svgd=(--config "$root/configs/particles/svgd_mixture_2d.toml" --set svgd.particles=1000
      --set svgd.iterations=300 --set svgd.anneal=150 --set output.plot=false)
poisson=(--config "$root/configs/evnn/poisson_4d.toml" --set time.steps=3
         --set optimizer.max_iter=100)
committor=(--config "$root/configs/variational/committor_double_well.toml" --set output.plot=false)
# CASES="vmc committor" runs a subset.
for c in ${CASES:-vmc evnn evnn_eulerian svgd svgd_h committor}; do
  for n in 1 2; do
    case $c in
      vmc) run "vmc N=20, 1000 chains, 100 SR steps" "$n" 100 rel_error "${vmc[@]}" ;;
      evnn) run "evnn fokker-planck 2-D, 4000 mc particles" "$n" 6 final_sym_kl "${evnn[@]}" ;;
      evnn_eulerian) run "evnn poisson 4-D, 4096 halton points" "$n" 3 final_rel_l2 \
        "${poisson[@]}" ;;
      svgd) run "svgd mixture 2-D, 1000 particles" "$n" 300 energy_distance "${svgd[@]}" ;;
      # A fixed bandwidth: no median over all n²/2 pairs, which every rank computes in full.
      svgd_h) run "svgd mixture 2-D, 1000 particles, h fixed" "$n" 300 energy_distance \
        "${svgd[@]}" --set svgd.bandwidth=0.5 ;;
      committor) run "committor double well, batch 1000, 2000 steps" "$n" 2000 rms_error \
        "${committor[@]}" ;;
    esac
  done
done

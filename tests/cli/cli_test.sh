#!/usr/bin/env bash
# Command-line contract: --help/--version succeed; bad input fails with one line on
# stderr and a non-zero exit.
set -u
bin="$1"
fail=0
check() {  # name expected_rc(0|nonzero) command...
  local name="$1" want="$2"; shift 2
  local err; err=$(mktemp)
  "$@" >/dev/null 2>"$err"; local rc=$?
  if [[ "$want" == 0 && $rc -ne 0 ]] || [[ "$want" != 0 && $rc -eq 0 ]]; then
    echo "FAIL $name: exit $rc"; cat "$err"; fail=1
  elif [[ "$want" != 0 && $(grep -c . "$err") -gt 2 ]]; then
    echo "FAIL $name: error is not short:"; cat "$err"; fail=1
  else
    echo "ok   $name"
  fi
  rm -f "$err"
}
check help 0 "$bin" --help
check version 0 "$bin" --version
check demo-help 0 "$bin" demo --help
check demo-json 0 "$bin" demo --steps 5 --json
check unknown-option 1 "$bin" demo --bogus
check unknown-command 1 "$bin" frobnicate
check no-command 1 "$bin"
check unknown-activation 1 "$bin" demo --activation gelu
check unknown-dtype 1 "$bin" demo --dtype float16
check bad-dt 1 "$bin" demo --dt nan
check no-cuda-or-ok 0 bash -c "'$bin' demo --device cuda --steps 2 2>&1 | grep -q 'CUDA is not available' || '$bin' demo --device cuda --steps 2"
"$bin" --version | grep -q "^enflow [0-9]" || { echo "FAIL version text"; fail=1; }
check info 0 "$bin" info
check info-json 0 "$bin" info --json
# `enflow info` reports the thread counts init_threads set from --threads.
"$bin" info --json --threads 1 | grep -q '"threads": 1,' || { echo "FAIL info threads"; fail=1; }

# Learning pipeline end to end on a tiny dataset: generate, train, evaluate, predict.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check generate 0 "$bin" generate mass-spring --series 4 --steps 10 --seed 1 -o "$work/ms.h5"
cat > "$work/ms.toml" <<TOML
[data]
path = "$work/ms.h5"
[model]
type = "dgnet"
hidden = [16, 16]
[train]
iterations = 5
batch = 16
[output]
model = "$work/ms.pt"
TOML
check train 0 "$bin" train --config "$work/ms.toml" --json
check train-set-override 0 "$bin" train --config "$work/ms.toml" --set model.type=hnn --set output.model="$work/hnn.pt"
check evaluate 0 "$bin" evaluate --model "$work/ms.pt" --json
# The step MSE of a DGNet's energy through another one-step map (the one HNN trains on).
"$bin" evaluate --model "$work/ms.pt" --step-integrator rk2 --json | grep -q '"step_integrator": "rk2"' ||
  { echo "FAIL evaluate --step-integrator"; fail=1; }
check evaluate-step-integrator-unknown 1 "$bin" evaluate --model "$work/ms.pt" --step-integrator rk9
check predict 0 "$bin" predict --model "$work/ms.pt" -o "$work/pred.h5" --steps 5
check predict-output-readable 0 "$bin" inspect "$work/pred.h5"
# The learned energy along the prediction, for any dataset: in the metrics and the file.
"$bin" predict --model "$work/ms.pt" -o "$work/pred64.h5" --dtype float64 --json |
  grep -q '"learned_energy_max_rel_increase": ' || { echo "FAIL predict learned energy metric"; fail=1; }
/usr/bin/python3 -c "import h5py, sys; f = h5py.File(sys.argv[1]); assert f['learned_energy'].shape == f['states'].shape[:2]" \
  "$work/pred64.h5" || { echo "FAIL learned_energy in the prediction file"; fail=1; }
[ -f "$work/pred64_learned_energy.png" ] || { echo "FAIL learned energy plot"; fail=1; }
# Silent defaults are said: a horizon beyond the series, a record without a time step.
"$bin" predict --model "$work/ms.pt" -o "$work/pred.h5" --steps 500 2>&1 >/dev/null |
  grep -q "500 prediction steps asked for, but the series have 10" || { echo "FAIL predict steps warning"; fail=1; }
check predict-bad-dtype 1 "$bin" predict --model "$work/ms.pt" -o "$work/pred.h5" --dtype float16
/usr/bin/python3 -c "import numpy as np, sys; np.save(sys.argv[1], np.zeros((2, 5, 2)))" "$work/rec.npy"
"$bin" import "$work/rec.npy" -o "$work/rec.h5" 2>&1 >/dev/null | grep -q "time step 1 assumed" ||
  { echo "FAIL import dt warning"; fail=1; }
# Trials of different lengths with a gap: --series picks, --max-gap splits, training and
# prediction run over each series' own length.
/usr/bin/python3 - "$work/trials.csv" <<'PY'
import math, sys
with open(sys.argv[1], "w") as f:
    f.write("trial,t,q,p\n")
    for trial, n in ((1, 30), (2, 21), (3, 25)):
        for k in range(n):
            t = 0.1 * k + (1.0 if trial == 2 and k >= 12 else 0.0)
            f.write(f"{trial},{t},{math.cos(2 * t + trial)},{-math.sin(2 * t + trial)}\n")
PY
"$bin" import "$work/trials.csv" --columns series,t,q,p --series 2,1,3 --max-gap 0.5 \
  -o "$work/trials.h5" | grep -q "4 series x 9 to 30 time points" || { echo "FAIL ragged import"; fail=1; }
"$bin" inspect "$work/trials.h5" | grep -q "lengths     9 to 30 time points per series, 76 in all" ||
  { echo "FAIL ragged inspect"; fail=1; }
check import-unknown-series 1 "$bin" import "$work/trials.csv" --columns series,t,q,p --series 9 -o "$work/x.h5"
check import-bad-series 1 "$bin" import "$work/trials.csv" --columns series,t,q,p --series 1-x -o "$work/x.h5"
check train-ragged 0 "$bin" train --config "$work/ms.toml" --set data.path="$work/trials.h5" \
  --set output.model="$work/trials.pt"
check predict-ragged 0 "$bin" predict --model "$work/trials.pt" -o "$work/trials_pred.h5"
/usr/bin/python3 -c "import h5py, sys; f = h5py.File(sys.argv[1]); assert list(f['lengths'][...]) == [25]" \
  "$work/trials_pred.h5" || { echo "FAIL ragged prediction lengths"; fail=1; }
check train-unknown-key 1 "$bin" train --config "$work/ms.toml" --set train.lerning_rate=1
# Every training key with its type, default and meaning: in train --help and enflow explain.
"$bin" train --help | grep -q "train.structure_lr  *float" || { echo "FAIL train --help keys"; fail=1; }
"$bin" explain train.lr | grep -q "^train.lr (float, default 1e-3): Adam learning rate" ||
  { echo "FAIL explain train.lr"; fail=1; }
check explain-all 0 "$bin" explain
check explain-unknown 1 "$bin" explain train.lerning_rate
"$bin" explain train.lerning_rate 2>&1 | grep -q "known in its table: .*train.lr" ||
  { echo "FAIL explain names the table's keys"; fail=1; }
# Solver keys come from each solver's table (the one its config is validated against).
"$bin" explain --solver vmc_ising problem.sites | grep -q "^problem.sites (int, default 20): " ||
  { echo "FAIL explain --solver vmc_ising problem.sites"; fail=1; }
"$bin" explain problem.lambda | grep -q "default 0.03) \[solver committor\]: ginzburg_landau" ||
  { echo "FAIL explain finds a committor problem's key"; fail=1; }
check explain-solver-unknown 1 "$bin" explain --solver svgd svgd.stepsize
check explain-unknown-solver 1 "$bin" explain --solver rk5
check train-missing-config 1 "$bin" train --config "$work/nope.toml"
check evaluate-missing-model 1 "$bin" evaluate --model "$work/nope.pt"
check evaluate-not-a-model 1 "$bin" evaluate --model "$work/ms.h5"
# A grid model is built with the data's spacing (here 10/16): evaluating it on its own data
# must not warn about a mismatched operator (models trained before 2026-12-02 used dx = 1).
check generate-kdv 0 "$bin" generate kdv --series 2 --steps 3 --param points=16 -o "$work/kdv.h5"
check train-kdv 0 "$bin" train --config "$work/ms.toml" --set data.path="$work/kdv.h5" \
  --set model.network=periodic_conv --set model.structure=D --set model.channels=4 \
  --set output.model="$work/kdv.pt"
"$bin" evaluate --model "$work/kdv.pt" --steps 2 2>&1 >/dev/null | grep -q "grid spacing" &&
  { echo "FAIL grid model built with the wrong dx"; fail=1; }
# A 2-D grid system end to end: the dataset records its grid, train copies it to data.grid
# (a 3 x 3 conv energy, the Laplacian by its stencil), predict keeps the learned law.
check generate-ch2d 0 "$bin" generate cahn-hilliard-2d --series 2 --steps 3 --param nx=8 \
  --param ny=8 -o "$work/ch2d.h5"
"$bin" inspect "$work/ch2d.h5" | grep -q "grid        8 x 8" || { echo "FAIL inspect grid"; fail=1; }
check train-ch2d 0 "$bin" train --config "$(dirname "$0")/../../configs/dgnet/cahn-hilliard-2d-dgnet.toml" \
  --set data.path="$work/ch2d.h5" --set model.channels=4 --set train.iterations=3 \
  --set output.model="$work/ch2d.pt"
rise=$("$bin" predict --model "$work/ch2d.pt" -o "$work/ch2d_pred.h5" --steps 3 --json |
  grep -o '"learned_energy_max_rel_increase": [^,}]*' | awk '{print $2}')
/usr/bin/python3 -c "import sys; assert float(sys.argv[1]) <= 1e-12" "$rise" ||
  { echo "FAIL ch2d learned energy rose ($rise)"; fail=1; }
check train-ch2d-wrong-grid 1 "$bin" train --config "$(dirname "$0")/../../configs/dgnet/cahn-hilliard-2d-dgnet.toml" \
  --set data.path="$work/ch2d.h5" --set 'data.grid=[4, 16]' --set train.iterations=1 \
  --set output.model="$work/ch2d_bad.pt"
# The positive-state GGD options need positive data: a particle's states change sign.
check generate-particle 0 "$bin" generate particle-1d --series 2 --steps 10 -o "$work/p1.h5"
check train-ggd-log-nonpositive 1 "$bin" train --config "$(dirname "$0")/../../configs/ggd/chemistry-learned-mixture.toml" \
  --set data.path="$work/p1.h5" --set train.iterations=2 --set output.model="$work/p1.pt"
# DGNet Table 3 protocol at toy size: every row trains, predicts and reports finite metrics.
check reproduce-dgnet-table3 0 "$bin" reproduce dgnet-table3 --quick --out "$work/r" --json
[[ $(grep -c '^| ' "$work/r/dgnet-table3/table.md") -eq 12 ]] || { echo "FAIL dgnet-table3 rows"; fail=1; }
grep -q '"energy_mse": null' "$work/r/dgnet-table3/results.json" && { echo "FAIL dgnet-table3 energy"; fail=1; }
# --resume reuses the row's dataset and finished model: the same row, training not repeated.
row=$(grep '^| pendulum | DGNet' "$work/r/dgnet-table3/table.md")
check reproduce-dgnet-resume 0 env ENFLOW_DGNET_ONLY=pendulum-dgnet "$bin" reproduce dgnet-table3 --quick --resume --out "$work/r" --json
check reproduce-dgnet-extensions 0 "$bin" reproduce dgnet-extensions --quick --out "$work/r" --json
grep -q "double-pendulum-dgnet" "$work/r/dgnet-extensions/table.md" || { echo "FAIL dgnet-extensions row"; fail=1; }
# dgnet-2d at toy size, two rows: a learned stencil on 2-D KdV reports its identification error.
check reproduce-dgnet-2d 0 env ENFLOW_DGNET_ONLY=zakharov-kuznetsov-dgnet-learned,cahn-hilliard-2d-node \
  "$bin" reproduce dgnet-2d --quick --threads 1 --out "$work/r" --json
grep -q '"structure_identification_error": [0-9]' "$work/r/dgnet-2d/results.json" || { echo "FAIL dgnet-2d identification"; fail=1; }
[[ "$(grep '^| pendulum | DGNet' "$work/r/dgnet-table3/table.md")" == "$row" && -n "$row" ]] || { echo "FAIL dgnet resume row"; fail=1; }
grep -q 'reusing' "$work/r/dgnet-table3/table.md" || { echo "FAIL dgnet resume dataset"; fail=1; }
check reproduce-resume-unsupported 1 "$bin" reproduce evnn --quick --resume --out "$work/r"
check reproduce-unknown 1 "$bin" reproduce dgnet-table9
# A case filter naming an unknown case stops before any work (a typo must not run nothing).
for p in ggd evnn particles variational dgnet-table2 dgnet-2d; do
  check "reproduce-$p-unknown-case" 1 env ENFLOW_GGD_ONLY=nosuch ENFLOW_EVNN_ONLY=nosuch \
    ENFLOW_PARTICLES_ONLY=nosuch ENFLOW_VARIATIONAL_ONLY=nosuch ENFLOW_DGNET_ONLY=pendulum-dgnet "$bin" reproduce "$p" --quick --out "$work/r-filter"
done
ENFLOW_GGD_ONLY=chemistry-learned,nosuch "$bin" reproduce ggd --quick --out "$work/r-filter" 2>&1 |
  grep -q "ENFLOW_GGD_ONLY: unknown case 'nosuch'" || { echo "FAIL case filter message"; fail=1; }
[[ -z "$(find "$work/r-filter" -name '*.h5' 2>/dev/null)" ]] || { echo "FAIL case filter ran work"; fail=1; }
check solve-list 0 "$bin" solve --list
printf '[problem]\nkind = "no-such-solver"\n' > "$work/bad.toml"
check solve-unknown-kind 1 "$bin" solve --config "$work/bad.toml" --out "$work/out"
check train-unknown-model 1 "$bin" train --config "$work/ms.toml" --set model.type=transformer

# Variational solvers: every shipped config runs end to end at toy size (checks included),
# and bad configs fail with one line.
vs=(--out "$work/var" --json --set output.plot=false)
cv="$(cd "$(dirname "$0")/../../configs/variational" && pwd)"
check committor-double-well 0 "$bin" solve --config "$cv/committor_double_well.toml" "${vs[@]}" --set train.iterations=3
check committor-muller-brown-10d 0 "$bin" solve --config "$cv/committor_muller_brown_10d.toml" "${vs[@]}" --set train.iterations=3 --set sampler.burn_in=5 --set reference.grid=21 --set check.shooting_points=2 --set check.trajectories=2 --set check.max_steps=20
check committor-ginzburg-landau 0 "$bin" solve --config "$cv/committor_ginzburg_landau.toml" "${vs[@]}" --set train.iterations=3 --set sampler.burn_in=5 --set check.trajectories=2 --set check.max_steps=20
check deep-ritz 0 "$bin" solve --config "$cv/deep_ritz_10d.toml" "${vs[@]}" --set train.iterations=3 --set train.eval_points=100
check vmc 0 "$bin" solve --config "$cv/vmc_tfim_20.toml" "${vs[@]}" --set train.iterations=2 --set sampler.samples=20 --set sampler.final_samples=20
# reproduce variational runs the shipped configs through `enflow solve` and reads back their
# metrics files (Ginzburg-Landau's carries arrays): two cases, header + 2 + 3 rows.
check reproduce-variational 0 env ENFLOW_VARIATIONAL_ONLY=committor_double_well,committor_ginzburg_landau "$bin" reproduce variational --quick --out "$work/rv" --json
[[ $(grep -c '^| ' "$work/rv/variational/table.md") -eq 6 ]] || { echo "FAIL reproduce variational rows"; fail=1; }
grep -q 'enflow solve --config .*committor_double_well.toml' "$work/rv/variational/table.md" || { echo "FAIL reproduce variational command"; fail=1; }
check committor-unknown-system 1 "$bin" solve --config "$cv/committor_double_well.toml" "${vs[@]}" --set problem.system=triple_well
check committor-unknown-key 1 "$bin" solve --config "$cv/committor_double_well.toml" "${vs[@]}" --set train.iteratons=3
check deep-ritz-bad-penalty 1 "$bin" solve --config "$cv/deep_ritz_10d.toml" "${vs[@]}" --set train.penalty=-1
# Particles: every shipped config runs (tiny overrides), samples come back, bad input fails.
cfgs="$(dirname "$0")/../../configs/particles"
tiny_svgd=(--set svgd.iterations=3 --set svgd.particles=10 --set eval.exact_samples=100
           --set reference.burn_in=5 --set reference.samples=5 --set output.plot=false)
for c in "$cfgs"/svgd_*.toml; do
  check "solve-$(basename "$c" .toml)" 0 "$bin" solve --config "$c" "${tiny_svgd[@]}" --out "$work/p" --json
done
check solve-mean-field 0 "$bin" solve --config "$cfgs/mean_field_teacher_student.toml" --set flow.steps=3 \
  --set student.particles=10 --set data.n_test=50 --set output.plot=false --out "$work/p" --json
for c in "$cfgs"/potential_flow_*.toml; do
  check "solve-$(basename "$c" .toml)" 0 "$bin" solve --config "$c" --set train.iterations=2 \
    --set flow.width=4 --set data.test_size=50 --set eval.steps=[2] --set eval.grid=11 \
    --set eval.reference_samples=100 --set output.plot=false --set output.model="$work/pf.pt" \
    --out "$work/p" --json
done
check sample-model 0 "$bin" sample --model "$work/pf.pt" -n 100 --steps 2 -o "$work/s.csv" --json
grep -q "^x1,x2,log_p$" "$work/s.csv" || { echo "FAIL sample-model header"; fail=1; }
check sample-config 0 "$bin" sample --config "$cfgs/svgd_banana.toml" --set svgd.iterations=2 \
  --set svgd.particles=5 -o "$work/sv.csv" --json
check sample-needs-source 1 "$bin" sample -o "$work/x.csv"
check sample-missing-model 1 "$bin" sample --model "$work/nope.pt" -o "$work/x.csv"
check sample-not-a-model 1 "$bin" sample --model "$work/s.csv" -o "$work/x.csv"
check svgd-unknown-key 1 "$bin" solve --config "$cfgs/svgd_banana.toml" --set svgd.stepsize=1
check svgd-unknown-target 1 "$bin" solve --config "$cfgs/svgd_banana.toml" --set target.kind=donut
check svgd-bad-init 1 "$bin" solve --config "$cfgs/svgd_banana.toml" --set init.mean=[1.0]
check svgd-nan-step 1 "$bin" solve --config "$cfgs/svgd_banana.toml" --set svgd.step=nan
check pf-unknown-density 1 "$bin" solve --config "$cfgs/potential_flow_two_moons.toml" --set data.density=spirals
check mf-bad-teacher 1 "$bin" solve --config "$cfgs/mean_field_teacher_student.toml" --set teacher.neurons=[1.0,2.0]
exit $fail

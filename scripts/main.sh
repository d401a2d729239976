#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build, then what a
# researcher does with enflow (issue 4): hand it measured trajectories and get back a model
# that keeps the physics in discrete time.
#
#   1. the discrete gradient's defining properties on a random network (enflow demo);
#   2. the real pendulum of Schmidt & Lipson (../shared/data) imported and split in time
#      (5 chunks of 111 points, 4 for training), a DGNet with learnable friction trained on
#      it (10000 Adam iterations, ~2-4 min), its metrics, and its long-term prediction with
#      the energy plot. Without ../shared, a synthetic (undamped) pendulum dataset stands in.
#   3. after the first results, the Python package (build/python), which reads that model.
#
# Results in results/main/. Extra arguments go to every enflow command (e.g. --threads 1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
ENFLOW_TARGETS=enflow bash scripts/build.sh  # the binary only; scripts/test.sh builds the rest
out=results/main
mkdir -p "$out"
enflow() { ./build/enflow "$@"; }

echo "== 1/2  automatic discrete differentiation on a random energy network"
enflow demo --plot "$out/demo_energy.png" "$@"

echo "== 2/2  DGNet on a measured pendulum: import, train, evaluate, predict"
record=../shared/data/schmidt_lipson/real_pend_h_1.txt
if [ -f "$record" ]; then
  enflow import "$record" --columns series,t,q,p --system pendulum --param k=2.4 --chunks 5 \
    -o "$out/real-pendulum.h5" "$@"
else
  echo "no $record: using a synthetic pendulum dataset instead"
  enflow generate pendulum --protocol dgnet -o "$out/real-pendulum.h5" "$@"
fi
enflow train --config configs/dgnet/real-pendulum-dgnet.toml \
  --set data.path="$out/real-pendulum.h5" --set output.model="$out/real-pendulum-dgnet.pt" "$@"
enflow evaluate --model "$out/real-pendulum-dgnet.pt" "$@"
enflow predict --model "$out/real-pendulum-dgnet.pt" -o "$out/real-pendulum-prediction.h5" "$@"
echo "== done: $out (model, metrics above, prediction and its plots)"

echo "== the Python package (docs/python.md): building build/python, then reading that model"
ENFLOW_TARGETS="enflow_python enflow_python_files" bash scripts/build.sh >"$out/python-build.log"
PYTHONPATH=build/python /usr/bin/python3 - "$out" <<'PY'
import sys, enflow
out = sys.argv[1]
model = enflow.Model.load(f"{out}/real-pendulum-dgnet.pt")
pred = enflow.load_dataset(f"{out}/real-pendulum-prediction.h5").states
H = model.energy(pred.reshape(-1, pred.shape[-1])).reshape(pred.shape[:2]).detach()
print(f"python: {model.type} model; learned energy along the prediction, series 0: "
      f"{H[0, 0]:.5f} -> {H[0, -1]:.5f} (friction dissipates it)")
PY
echo "   use it: export PYTHONPATH=$PWD/build/python; /usr/bin/python3 -c 'import enflow'"

#!/usr/bin/env bash
# Data-parallel training (docs/distributed.md), processes on 127.0.0.1 only, every wait
# bounded: 2 ranks give the 1-process model of the same global batch (float64, to 1e-12),
# one rank through enflow launch is plain training, a rank killed or stalled stops the job
# within the timeout naming it, and bad input is one line and a non-zero exit.
set -u
bin="$1"
here="$(cd "$(dirname "$0")" && pwd)"
py=/usr/bin/python3
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One thread per rank, as on a CI machine of 2 cores, whatever the test runner sets.
export ENFLOW_NUM_THREADS=1
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; [ -f "$work/err" ] && head -5 "$work/err"; fail=1; }
compare() {  # name a.pt b.pt [a.json b.json]
  local name="$1"; shift
  local out; out=$("$py" "$here/compare_models.py" 1e-12 "$@" 2>&1) && ok "$name: $out" ||
    bad "$name: $out"
}
# train NAME [launch options --] train options...: output.model and the JSON in $work/NAME.*
train() {
  local name="$1"; shift
  timeout 120 "$@" --set output.model="$work/$name.pt" --json >"$work/$name.json" 2>"$work/err" ||
    bad "$name: exit $?"
}

"$bin" generate mass-spring --series 4 --steps 20 --seed 1 -o "$work/ms.h5" >/dev/null 2>&1
"$bin" generate kdv --series 2 --steps 3 --param points=16 -o "$work/kdv.h5" >/dev/null 2>&1
cat >"$work/ms.toml" <<TOML
[data]
path = "$work/ms.h5"
[model]
type = "dgnet"
hidden = [16, 16]
[run]
dtype = "float64"
[train]
iterations = 20
batch = 16
log_every = 1
TOML
cfg=(train --config "$work/ms.toml")
launch2=("$bin" launch --nproc 2 --dist-timeout 30 --)

# DGNet on mass-spring: 20 Adam steps on batches of 16 of the 76 pairs.
train one "$bin" "${cfg[@]}"
train two "${launch2[@]}" "${cfg[@]}"
compare "mass-spring 2 ranks = 1" "$work/one.pt" "$work/two.pt" "$work/one.json" "$work/two.json"
grep -q '"iterations": 20' "$work/two.json" || bad "2 ranks: rank 0 did not report"
# The model file records how it was trained.
"$py" -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); s=b''.join(z.read(n) for n in z.namelist()); sys.exit(0 if all(k in s for k in (b'[result]', b'world_size = 2', b'global_batch = 16', b'seed = 0')) else 1)" \
  "$work/two.pt" && ok "model file records world size, global batch, seed" ||
  bad "model file lacks result.world_size / global_batch / seed"
# One rank through the launcher is plain training.
train one_launched "$bin" launch --nproc 1 -- "${cfg[@]}"
compare "launch --nproc 1 = train" "$work/one.pt" "$work/one_launched.pt" \
  "$work/one.json" "$work/one_launched.json"
# Multi-step (rollout) loss, with held-out validation and early stopping scored by rank 0.
more=(--set train.rollout=3 --set train.rollout_start=5 --set train.validation=0.25
      --set train.patience=50)
train roll_one "$bin" "${cfg[@]}" "${more[@]}"
train roll_two "${launch2[@]}" "${cfg[@]}" "${more[@]}"
compare "rollout + validation 2 ranks = 1" "$work/roll_one.pt" "$work/roll_two.pt" \
  "$work/roll_one.json" "$work/roll_two.json"
# KdV with a periodic convolutional energy: full batches of the 6 pairs.
kdv=(--set data.path="$work/kdv.h5" --set model.network=periodic_conv --set model.structure=D
     --set model.channels=4)
train kdv_one "$bin" "${cfg[@]}" "${kdv[@]}"
train kdv_two "${launch2[@]}" "${cfg[@]}" "${kdv[@]}"
compare "kdv 2 ranks = 1" "$work/kdv_one.pt" "$work/kdv_two.pt" "$work/kdv_one.json" \
  "$work/kdv_two.json"
# The allreduce overlapped with the backward pass, in 1 kB buckets (several per model, the
# first ones started from inside the backward pass): still the 1-process model.
ovl=(--set train.allreduce_overlap=true --set train.allreduce_bucket_kb=1)
train ovl_two "${launch2[@]}" "${cfg[@]}" "${ovl[@]}"
compare "mass-spring overlapped 2 ranks = 1" "$work/one.pt" "$work/ovl_two.pt" \
  "$work/one.json" "$work/ovl_two.json"
train kdv_ovl_two "${launch2[@]}" "${cfg[@]}" "${kdv[@]}" "${ovl[@]}"
compare "kdv overlapped 2 ranks = 1" "$work/kdv_one.pt" "$work/kdv_ovl_two.pt" \
  "$work/kdv_one.json" "$work/kdv_ovl_two.json"

# Resume with another world size: 10 iterations on 2 ranks (rank 0's checkpoint), then 10
# more in one process, equals 10 + 10 in one process (batches depend on seed and iteration).
half=(--set train.iterations=10 --set train.checkpoint_every=5)
rest=(--set train.iterations=20 --set train.checkpoint_every=5 --resume)
train res_one "$bin" "${cfg[@]}" "${half[@]}"
train res_one "$bin" "${cfg[@]}" "${rest[@]}"
train res_two "${launch2[@]}" "${cfg[@]}" "${half[@]}"
train res_two "$bin" "${cfg[@]}" "${rest[@]}"
compare "resume 2 ranks -> 1 = 1 -> 1" "$work/res_one.pt" "$work/res_two.pt" \
  "$work/res_one.json" "$work/res_two.json"

# A rank that dies or stalls: the job ends within the timeout, naming it.
long=("${cfg[@]}" --set train.iterations=10000000 --set train.checkpoint_every=5
      --set output.model="$work/long.pt")
fault() {  # name signal: start 2 ranks, signal rank 1 once training runs, check the end
  local name="$1" sig="$2" start end rc ranks r1=""
  rm -f "$work/long.pt.ckpt"
  start=$(date +%s)
  timeout 60 "$bin" launch --nproc 2 --dist-timeout 4 -- "${long[@]}" >/dev/null 2>"$work/err" &
  local job=$!
  for _ in $(seq 200); do [ -f "$work/long.pt.ckpt" ] && break; sleep 0.1; done
  # The launcher is timeout's child; rank 1 is the launcher's second child.
  local launcher; launcher=$(pgrep -P "$job" | head -1)
  ranks=$(pgrep -P "$launcher" 2>/dev/null | sort -n)
  r1=$(echo "$ranks" | sed -n 2p)
  [ -n "$r1" ] && kill -"$sig" "$r1"
  wait "$job"; rc=$?
  end=$(date +%s)
  if [ -z "$r1" ]; then bad "$name: training did not start"
  elif [ $rc -eq 0 ] || [ $rc -eq 124 ]; then bad "$name: exit $rc after $((end - start)) s"
  elif ! grep -q "rank 1" "$work/err"; then bad "$name: no message names rank 1"
  else ok "$name: exit $rc after $((end - start)) s: $(grep -m1 "rank 1" "$work/err")"
  fi
  [ -n "$r1" ] && kill -KILL "$r1" 2>/dev/null  # a stopped rank, should it have outlived it
}
fault "kill -9 of rank 1" KILL
fault "rank 1 stalled (SIGSTOP)" STOP
# Rank 0's own words when its peer died.
grep -q "rank 0: .*rank 1 stopped answering" "$work/err" && ok "rank 0 names the stalled rank" ||
  bad "rank 0 does not name the stalled rank"

# Bad input: one line, non-zero exit.
one_line() {  # name command...: must fail with one short line on stderr
  local name="$1"; shift
  timeout 60 "$@" >/dev/null 2>"$work/err"; local rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ "$(grep -c . "$work/err")" -gt 1 ]; then
    bad "$name: exit $rc"
  else ok "$name: $(head -1 "$work/err")"; fi
}
one_line "launch --nproc 0" "$bin" launch --nproc 0 -- "${cfg[@]}"
one_line "launch without a command" "$bin" launch --nproc 2
one_line "WORLD_SIZE without RANK" env WORLD_SIZE=2 "$bin" "${cfg[@]}"
one_line "RANK outside WORLD_SIZE" env RANK=2 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 \
  MASTER_PORT=29999 "$bin" "${cfg[@]}"
one_line "no MASTER_PORT" env RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 "$bin" "${cfg[@]}"
one_line "a peer that never comes" env RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 \
  MASTER_PORT=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
  "$bin" "${cfg[@]}" --dist-timeout 2
# Under enflow launch each failing rank says its one line, and the launcher one more that
# names the first rank that failed.
rank_lines() {  # name command...
  local name="$1"; shift
  timeout 60 "$@" --json >/dev/null 2>"$work/err"; local rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ "$(grep -c . "$work/err")" -gt 3 ] ||
    [ "$(grep -vc "^enflow: error: " "$work/err")" -ne 0 ] ||
    ! tail -1 "$work/err" | grep -q "rank [01] exited with status 1"; then
    bad "$name: exit $rc"
  else ok "$name: $(head -1 "$work/err")"; fi
}
rank_lines "L-BFGS on 2 ranks" "${launch2[@]}" "${cfg[@]}" --set train.lbfgs_iterations=5
rank_lines "a batch smaller than the world" "${launch2[@]}" "${cfg[@]}" --set train.batch=1
rank_lines "a missing config on 2 ranks" "${launch2[@]}" train --config "$work/nope.toml"

exit $fail

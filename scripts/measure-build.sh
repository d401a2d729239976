#!/usr/bin/env bash
# Measures what a newcomer's first build costs (issue 27, item 7): a clean Release build of
# libenflow (enflow_core), with and without its unity build (ENFLOW_UNITY_BUILD), ccache off,
# in throw-away build directories. Prints seconds (decision 54).
#   bash scripts/measure-build.sh            # both variants
#   bash scripts/measure-build.sh unity      # one
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
variants=("${@:-plain unity}")
for v in ${variants[@]}; do
  dir=$(mktemp -d /tmp/enflow-build-$v.XXXXXX)
  flags=(-DCMAKE_BUILD_TYPE=Release -DENFLOW_UNITY_BUILD=OFF)
  [ "$v" = unity ] && flags+=(-DENFLOW_UNITY_BUILD=ON)
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S . -B "$dir" "${gen[@]}" "${flags[@]}" >/dev/null
  start=$(date +%s)
  CCACHE_DISABLE=1 cmake --build "$dir" -j "$jobs" --target enflow_core >"$dir/build.log" 2>&1 \
    || { echo "$v: build failed, see $dir/build.log"; exit 1; }
  echo "$v: $(( $(date +%s) - start )) s for --target enflow_core on $jobs cores"
  rm -rf "$dir"
done

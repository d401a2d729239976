#!/usr/bin/env bash
# Measures what a newcomer's first build costs (issue 27, item 7): a clean Release build of
# the `enflow` binary (libenflow + the command line; what scripts/main.sh builds), with and
# without CMake's unity build, ccache off, in throw-away build directories. Prints seconds.
#   bash scripts/measure-build.sh            # both variants
#   bash scripts/measure-build.sh unity      # one
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
variants=("${@:-plain unity}")
for v in ${variants[@]}; do
  dir=$(mktemp -d /tmp/enflow-build-$v.XXXXXX)
  flags=(-DCMAKE_BUILD_TYPE=Release)
  [ "$v" = unity ] && flags+=(-DCMAKE_UNITY_BUILD=ON)
  gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S . -B "$dir" "${gen[@]}" "${flags[@]}" >/dev/null
  start=$(date +%s)
  CCACHE_DISABLE=1 cmake --build "$dir" -j "$jobs" --target enflow >"$dir/build.log" 2>&1 \
    || { echo "$v: build failed, see $dir/build.log"; exit 1; }
  echo "$v: $(( $(date +%s) - start )) s for --target enflow on $jobs cores"
  rm -rf "$dir"
done

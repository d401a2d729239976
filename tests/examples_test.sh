#!/usr/bin/env bash
# The installed package serves a project of its own: install enflow into a temporary prefix,
# build examples/ against it with find_package(enflow) alone, and run every example (each
# checks its own law and exits non-zero if it does not hold).
set -euo pipefail
build="$1" src="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
launcher=()
# ccache with the temporary folder as base: a rerun compiles nothing.
command -v ccache >/dev/null &&
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER="${CMAKE_COMMAND:-cmake};-E;env;CCACHE_BASEDIR=$work;ccache")
cmake -S "$src/examples" -B "$work/build" "${gen[@]}" "${launcher[@]}" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j 2
for example in 01_discrete_gradient 02_train_dgnet 03_gradient_flow 04_own_energy; do
  echo "== $example"
  ENFLOW_NUM_THREADS=1 "$work/build/$example"
done
# The installed Python package (when this build has one) imports from the prefix alone and
# finds the installed libenflow.
pkg="$work/prefix/lib/python3/dist-packages"
if [ -d "$pkg/enflow" ]; then
  echo "== python package"
  PYTHONPATH="$pkg" ENFLOW_NUM_THREADS=1 /usr/bin/python3 -c '
import enflow, torch
assert enflow.__file__.startswith("'"$pkg"'"), enflow.__file__
H = enflow.nn.mlp(2, [8], dtype=torch.float64)
u, v = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
d, hu, hv = enflow.discrete_gradient(H, u, v, return_energies=True)
assert ((hu - hv) - (d * (u - v)).sum(1)).abs().max() < 1e-12
assert enflow.registries()["solvers"], "empty registries"
print("installed package:", enflow.__file__)'
fi

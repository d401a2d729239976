#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what is missing, build, run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p results
./build/enflow demo --plot results/demo_energy.png

#!/usr/bin/env bash
# Installs everything enflow needs on Debian 12 (bookworm). Idempotent: packages
# already present are skipped, so CI pays for apt only on a fresh machine.
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev            # LibTorch 1.13 (C++ frontend)
  libgloo-dev             # Gloo headers for c10d's ProcessGroupGloo (many processes)
  libopenblas-dev libopenblas0-pthread  # keep LibTorch off the reference BLAS
  libopenblas0-openmp     # multiplies on LibTorch's OpenMP threads (decision 42)
  libhdf5-dev             # datasets
  libtomlplusplus-dev     # configs
  libcli11-dev            # command line
  libfmt-dev              # formatting
  nlohmann-json3-dev      # JSON reports
  libmuparser-dev         # user energies as formulas (data.energy)
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox             # PNG plots
  python3-torch python3-h5py python3-numpy python3-scipy  # PyTorch reference (bench/), h5py checks
  python3-pytest          # tests/robustness, tests/python
  pybind11-dev python3-dev  # the Python package (python/)
  python3-matplotlib      # examples/python plots
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

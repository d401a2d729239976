#!/usr/bin/env bash
# Run here (Debian 12, apt reachable): downloads the Debian packages enflow builds against
# besides LibTorch — fmt, toml++, CLI11, nlohmann-json, Google Benchmark — and unpacks them into .devdeps/
# (git-ignored), for the lent GPU machine, which has CMake, a compiler, CUDA and PyTorch but
# cannot install packages. Carry .devdeps there and run scripts/bench-gpu.sh. HDF5 is left
# out (its Debian build needs libcurl's chain of libraries); the GPU build turns it off.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(libfmt-dev libfmt9 libtomlplusplus-dev libtomlplusplus3 libcli11-dev nlohmann-json3-dev
      libbenchmark-dev libbenchmark1debian)
rm -rf .devdeps
mkdir -p .devdeps/debs
(cd .devdeps/debs && apt-get -o APT::Sandbox::User=root download "${pkgs[@]}")
for f in .devdeps/debs/*.deb; do dpkg-deb -x "$f" .devdeps; done
rm -rf .devdeps/debs
du -sh .devdeps

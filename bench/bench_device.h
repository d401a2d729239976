// The device the benchmarks run on: ENFLOW_BENCH_DEVICE=cuda puts every case on the GPU
// (scripts/bench-gpu.sh); the default is the CPU.
#pragma once

#include <torch/torch.h>

#include <cstdlib>

#include "enflow/runtime.h"

namespace enflow::bench {

inline const c10::Device& device() {
  static const c10::Device d = [] {
    const char* env = std::getenv("ENFLOW_BENCH_DEVICE");
    return parse_device(env && *env ? env : "cpu");
  }();
  return d;
}

/// Waits for the GPU's queued work, so that a timed iteration ends when its kernels do.
inline void sync() {
  if (device().is_cuda()) torch::cuda::synchronize();
}

}  // namespace enflow::bench

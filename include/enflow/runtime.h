// Process-wide settings: threads, device and dtype parsing, version.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace enflow {

/// enflow's version string ("0.1.0").
std::string version();

/// Sets LibTorch's intra-op thread count. `requested` > 0 wins; otherwise
/// ENFLOW_NUM_THREADS, then OMP_NUM_THREADS, then the number of cores (Debian's LibTorch
/// otherwise starts with one thread). Returns the count in effect.
/// Also calls tune_allocator() once.
int init_threads(int requested = 0);

/// Keeps large tensor buffers in the process heap instead of fresh mmap'd pages. glibc
/// serves blocks of ≥ 32 MiB by mmap and unmaps them on free, so every large temporary
/// of a training step (a 2·200×50×200 float64 activation is 32 MiB) is page-faulted in
/// again, which costs more than the arithmetic on it (measured: 18 ms for a 0.3 ms
/// multiply). Sets M_MMAP_MAX = 0 and a 1 GiB trim threshold; ENFLOW_MALLOC_TUNING=0
/// leaves glibc's defaults. No-op on other C libraries. Returns whether it applied.
bool tune_allocator();

/// "cpu", "cuda" or "cuda:N"; throws std::invalid_argument if unknown or unavailable.
c10::Device parse_device(const std::string& name);

/// "float32"/"float"/"f32" or "float64"/"double"/"f64"; throws std::invalid_argument otherwise.
c10::ScalarType parse_dtype(const std::string& name);

/// "float32" or "float64".
std::string dtype_name(c10::ScalarType t);

}  // namespace enflow

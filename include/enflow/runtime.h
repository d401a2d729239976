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
int init_threads(int requested = 0);

/// "cpu", "cuda" or "cuda:N"; throws std::invalid_argument if unknown or unavailable.
c10::Device parse_device(const std::string& name);

/// "float32"/"float"/"f32" or "float64"/"double"/"f64"; throws std::invalid_argument otherwise.
c10::ScalarType parse_dtype(const std::string& name);

/// "float32" or "float64".
std::string dtype_name(c10::ScalarType t);

}  // namespace enflow

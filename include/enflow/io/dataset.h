// Trajectory datasets in HDF5 (readable by h5py):
//   /states  [series, steps, dim] float64
//   /t       [steps] or [series, steps] float64
//   /train, /test  int64 series indices
//   attributes on /: system, dt (0 when irregular), seed, noise, enflow_version, and one
//   attribute per system parameter, prefixed "param_".
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace enflow::io {

struct Dataset {
  at::Tensor states;  ///< [S, T, D] float64
  at::Tensor t;       ///< [T] or [S, T] float64
  std::string system;
  std::map<std::string, double> params;
  double dt = 0.0;  ///< 0 for irregular time stamps
  double noise = 0.0;
  uint64_t seed = 0;
  std::vector<int64_t> train, test;  ///< series indices
};

/// Validates (shapes agree, finite values, indices in range) and writes atomically.
void save_dataset(const std::string& path, const Dataset& data);
/// Reads and validates; throws std::runtime_error with a one-line message naming the
/// file and the problem (missing, not HDF5, missing /states, wrong rank, NaN, ...).
Dataset load_dataset(const std::string& path);

}  // namespace enflow::io

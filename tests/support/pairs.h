// Test data: state pairs (u, v) from far apart down to 1e-14 apart, and exactly equal.
#pragma once

#include <torch/torch.h>

namespace enflow::testing {

/// v = u + 10^{-k} w for k spread over [0, 14] across the batch, with the last sample v = u.
inline std::pair<torch::Tensor, torch::Tensor> log_spaced_pairs(std::vector<int64_t> shape,
                                                                torch::ScalarType dtype,
                                                                double spread = 1.0) {
  auto opts = torch::TensorOptions().dtype(dtype);
  auto u = spread * torch::randn(shape, opts);
  auto w = torch::randn(shape, opts);
  const int64_t B = shape[0];
  std::vector<int64_t> sshape(shape.size(), 1);
  sshape[0] = B;
  auto s = torch::pow(10.0, -torch::linspace(0, 14, B, opts)).reshape(sshape);
  s[B - 1] = 0;
  return {u, u + s * w};
}

inline double eps_of(torch::ScalarType t) { return t == torch::kFloat64 ? 2.22e-16 : 1.19e-7; }

}  // namespace enflow::testing

// Per-sample Hessians by autograd, and randomizing a module's parameters ("for every
// parameter value" tests).
#pragma once

#include <torch/torch.h>

#include <functional>

namespace enflow::testing {

/// Hessians [B, d, d] of f : [B, d] → [B] (samples independent) at x [B, d].
inline torch::Tensor hessians(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                              const torch::Tensor& x) {
  auto leaf = x.detach().requires_grad_(true);
  auto g = torch::autograd::grad({f(leaf).sum()}, {leaf}, {}, true, true)[0];
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < x.size(1); ++i) {
    rows.push_back(torch::autograd::grad({g.select(1, i).sum()}, {leaf}, {}, true, false, true)[0]);
  }
  return torch::stack(rows, 1);
}

/// Smallest eigenvalue of each symmetric matrix [B, d, d] divided by max(1, its largest |entry|).
inline torch::Tensor relative_min_eigenvalue(const torch::Tensor& H) {
  auto Hs = 0.5 * (H + H.transpose(1, 2));
  auto scale = std::get<0>(Hs.abs().flatten(1).max(1)).clamp_min(1.0);
  return std::get<0>(torch::linalg_eigvalsh(Hs).min(1)) / scale;
}

/// Draws every parameter of m from N(0, std²) (raw non-negative weights included: any
/// value must keep the structure).
inline void randomize(torch::nn::Module& m, double std, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& p : m.parameters()) p.normal_(0.0, std);
}

}  // namespace enflow::testing

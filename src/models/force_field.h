// phlearn's learned external force f(x, t) on a 1-D periodic grid (PDEExternalForcesNN):
// a pointwise network (kernel size 1, so it cannot learn spatial derivatives) of
// (sin 2πx/P, cos 2πx/P, t) at every grid point x_j = j·Δx, P = d·Δx the period.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace enflow::models::detail {

class ForceFieldImpl : public torch::nn::Module {
 public:
  ForceFieldImpl(int64_t points, int64_t hidden);
  /// f at the times t [B] → [B, d]; undefined t: at t = 0, [d].
  at::Tensor forward(const at::Tensor& t);

 private:
  int64_t points_;
  torch::nn::Linear l1_{nullptr}, l2_{nullptr}, l3_{nullptr};
};
TORCH_MODULE(ForceField);

}  // namespace enflow::models::detail

// The scalar potential of the potential-flow model, with its exact gradient and Laplacian in
// closed form: φ(x, t) = w·h_L + c + ½ a |x|², h_l = tanh(W_l h_{l−1} + b_l), h_0 = (x, t) or x.
// The input Jacobian J_l = ∂h_l/∂x and the Laplacians Δh_l are propagated forward with the
// activations (Δ tanh(z) = tanh''(z) |∇z|² + tanh'(z) Δz), so ∇φ and Δφ cost a few matrix
// products instead of d + 1 nested reverse passes, and training needs only first-order
// autodiff through them.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <tuple>
#include <vector>

namespace enflow::particles {

struct PotentialNetOptions {
  explicit PotentialNetOptions(int64_t dim) : dim_(dim) {}
  TORCH_ARG(int64_t, dim);
  TORCH_ARG(int64_t, width) = 64;
  TORCH_ARG(int64_t, depth) = 2;  ///< tanh hidden layers
  TORCH_ARG(bool, time_dependent) = false;
};

/// φ : [N, d] × t → [N], float64 unless moved. The output weights start at zero, so the flow
/// starts as the identity map.
class PotentialNetImpl : public torch::nn::Module {
 public:
  explicit PotentialNetImpl(const PotentialNetOptions& options);
  at::Tensor forward(const at::Tensor& x, double t);
  /// (φ [N], ∇φ [N, d], Δφ [N]), differentiable in the parameters (and in x).
  std::tuple<at::Tensor, at::Tensor, at::Tensor> derivatives(const at::Tensor& x, double t);
  const PotentialNetOptions& options() const { return options_; }

 private:
  at::Tensor first_layer(const at::Tensor& x, double t) const;
  PotentialNetOptions options_;
  std::vector<at::Tensor> w_, b_;
  at::Tensor out_w_, out_b_, quad_;
};
TORCH_MODULE(PotentialNet);

}  // namespace enflow::particles

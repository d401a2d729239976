// Partially input-convex networks (PICNN, Amos, Xu & Kolter 2017): f(x, y) convex in y for
// every x and every parameter value, with any smooth dependence on x. Written against
// ad::Var like every network here.
//
//   u₀ = x,  u_{k+1} = σ̃(Ã_k u_k + ã_k)                                  (x path, any σ̃)
//   z_{k+1} = σ( W_k (z_k ∘ softplus(B_k u_k + β_k))                       (W_k ≥ 0)
//              + C_k (y ∘ (D_k u_k + δ_k)) + E_k u_k + e_k ),  f = z_{L+1}  (no σ at the end)
//
// with σ convex and non-decreasing. For fixed x every pre-activation is affine in y or a
// non-negative combination of convex functions of y, so f is convex in y. W_k = softplus(V_k).
//
// Periodic-grid variant (kernel > 0): x and y are [B, L] on the same periodic grid; C_k and
// the first x-path map are circular convolutions of width `kernel`, all other maps 1×1
// convolutions, and f is summed over grid points (a discrete integral of a local density).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "enflow/ad/var.h"

namespace enflow::nn {

struct PartiallyConvexOptions {
  PartiallyConvexOptions(int64_t x_dim, int64_t y_dim) : x_dim_(x_dim), y_dim_(y_dim) {}
  TORCH_ARG(int64_t, x_dim);
  /// Dimension of the convex argument y (equal to x_dim for the periodic variant).
  TORCH_ARG(int64_t, y_dim);
  /// Hidden widths of both paths (channels for the periodic variant); at least one layer.
  TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t>{32, 32};
  /// σ on the convex path: softplus, relu, elu or exp.
  TORCH_ARG(std::string, activation) = "softplus";
  /// σ̃ on the x path: any activation name of ad::activation.
  TORCH_ARG(std::string, x_activation) = "softplus";
  /// 0: dense; odd k > 0: periodic grid with stencil width k.
  TORCH_ARG(int64_t, kernel) = 0;
};

/// f : ([B, x_dim], [B, y_dim]) → [B], convex in y.
class PartiallyConvexNetImpl : public torch::nn::Module {
 public:
  explicit PartiallyConvexNetImpl(const PartiallyConvexOptions& options);
  ad::Var forward(const ad::Var& x, const ad::Var& y);
  /// Plain evaluation.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& y);
  const PartiallyConvexOptions& options() const { return options_; }

 private:
  PartiallyConvexOptions options_;
  std::vector<at::Tensor> At_, at_;        // x path
  std::vector<at::Tensor> V_, B_, beta_;   // z path: W = softplus(V), gate softplus(Bu + β)
  std::vector<at::Tensor> C_, D_, delta_;  // y path: C (y ∘ (Du + δ))
  std::vector<at::Tensor> E_, e_;          // u path
};
TORCH_MODULE(PartiallyConvexNet);

}  // namespace enflow::nn

// Input-convex networks (Amos, Xu & Kolter 2017) written against ad::Var, so that a concave
// entropy built from one has an exact discrete gradient too.
//
// Fully input-convex (ICNN), f(x) convex in x:
//   z₁ = σ(A₀x + b₀),  z_{k+1} = σ(W_k z_k + A_k x + b_k),  f = w_L·z_L + a_L·x + b_L,
// with σ convex and non-decreasing and every W_k ≥ 0. The non-negative weights are a
// smooth reparameterization W = softplus(V) of free parameters V, so convexity holds for
// every parameter value, not only after training.
//
// Periodic-grid variant (kernel > 0): states [B, L] on a periodic grid; A_k are circular
// convolutions of width `kernel`, W_k are 1×1 convolutions with non-negative weights, and
// f is the sum over grid points of a per-site convex function — convex in the whole state,
// translation-equivariant and local, like the discrete integral of an energy density.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "enflow/ad/var.h"
#include "enflow/nn/energy_net.h"

namespace enflow::nn {

struct IcnnOptions {
  explicit IcnnOptions(int64_t input_dim) : input_dim_(input_dim) {}
  /// State dimension (grid points for the periodic variant).
  TORCH_ARG(int64_t, input_dim);
  /// Hidden widths (channels for the periodic variant); at least one layer.
  TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t>{32, 32};
  /// σ: convex and non-decreasing — softplus, relu, elu or exp (others throw).
  TORCH_ARG(std::string, activation) = "softplus";
  /// 0: dense network on [B, input_dim]; odd k > 0: periodic-grid network, stencil width k.
  TORCH_ARG(int64_t, kernel) = 0;
};

/// Activations accepted where convexity must be kept (convex and non-decreasing).
const std::vector<std::string>& convex_activation_names();

/// W = softplus(V) ≥ 0: the smooth reparameterization of non-negative weights.
at::Tensor nonnegative(const at::Tensor& raw);
/// V with softplus(V) = w for w > 0 (initializing non-negative weights).
at::Tensor nonnegative_inverse(const at::Tensor& w);

/// f : [B, input_dim] → [B], convex in its input for every parameter value.
class IcnnImpl : public LayerImpl {
 public:
  explicit IcnnImpl(const IcnnOptions& options);
  ad::Var forward(const ad::Var& x) override;
  const IcnnOptions& options() const { return options_; }

 private:
  IcnnOptions options_;
  std::vector<at::Tensor> A_, b_;  // from the input to every layer (and the output)
  std::vector<at::Tensor> V_;      // raw z-path weights, W = softplus(V)
};

/// −f (concave) or −softplus(f) (concave, ≤ 0) of a convex layer f, minus (ε/2)|x|² when
/// ε > 0 (strongly concave: S then has a maximum and its flow stays bounded). S = −ICNN is
/// the learned entropy.
class NegatedConvexImpl : public LayerImpl {
 public:
  NegatedConvexImpl(Layer convex, bool softplus_output, double curvature = 0.0);
  ad::Var forward(const ad::Var& x) override;

 private:
  Layer convex_;
  bool softplus_;
  double curvature_;
};

/// A concave energy S = −ICNN(x) ("linear" output) or −softplus(ICNN(x)) ("softplus"),
/// minus (curvature/2)|x|²; curvature must be ≥ 0.
EnergyNet make_concave_energy(const IcnnOptions& options, const std::string& output = "linear",
                              double curvature = 0.0);

}  // namespace enflow::nn

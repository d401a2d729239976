// Dissipation potentials Ξ(x, x*) of generalized gradient dynamics dx/dt = ∂Ξ/∂x*(x, x*):
// convex in x*, Ξ(x, 0) = 0 and ∂Ξ/∂x*(x, 0) = 0, hence Ξ ≥ 0 and ⟨x*, ∂Ξ/∂x*⟩ ≥ Ξ ≥ 0.
//
// The learned potential keeps these for every parameter value by construction: with Ξ̃ a
// partially input-convex network (convex in x*),
//   Ξ(x, x*) = Ξ̃(x, x*) − Ξ̃(x, 0) − x*·∂Ξ̃/∂x*(x, 0),
// the Bregman divergence of Ξ̃(x, ·) from 0, which is convex, vanishes with its gradient at
// x* = 0 and is non-negative. Analytic potentials (a reference system's) are wrapped as
// functions.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>

#include "enflow/nn/partially_convex.h"

namespace enflow::geometry {

class DissipationPotentialImpl : public torch::nn::Module {
 public:
  /// Ξ(x, x*) for x, x* [B, d] → [B].
  virtual at::Tensor potential(const at::Tensor& x, const at::Tensor& xs, bool create_graph) = 0;
  /// ∂Ξ/∂x*(x, x*) → [B, d]. With create_graph the result is differentiable in x, x* and
  /// the parameters (training, Newton Jacobians).
  virtual at::Tensor gradient(const at::Tensor& x, const at::Tensor& xs, bool create_graph) = 0;
  virtual std::string kind() const = 0;
};
using DissipationPotential = std::shared_ptr<DissipationPotentialImpl>;

/// Ξ = Ξ̃ − Ξ̃(x, 0) − x*·∂Ξ̃/∂x*(x, 0) with Ξ̃ a partially input-convex network.
class LearnedDissipationImpl : public DissipationPotentialImpl {
 public:
  explicit LearnedDissipationImpl(const nn::PartiallyConvexOptions& options);
  at::Tensor potential(const at::Tensor& x, const at::Tensor& xs, bool create_graph) override;
  at::Tensor gradient(const at::Tensor& x, const at::Tensor& xs, bool create_graph) override;
  std::string kind() const override { return "learned"; }
  /// The unnormalized network Ξ̃.
  nn::PartiallyConvexNet raw() const { return net_; }

 private:
  nn::PartiallyConvexNet net_{nullptr};
};

using PotentialFn = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

/// A prescribed potential given by Ξ(x, x*) and ∂Ξ/∂x*(x, x*), both written with
/// differentiable tensor operations. It is trusted to have the structure (the tests check
/// the reference systems' potentials).
class AnalyticDissipationImpl : public DissipationPotentialImpl {
 public:
  AnalyticDissipationImpl(std::string kind, PotentialFn potential, PotentialFn gradient);
  at::Tensor potential(const at::Tensor& x, const at::Tensor& xs, bool create_graph) override;
  at::Tensor gradient(const at::Tensor& x, const at::Tensor& xs, bool create_graph) override;
  std::string kind() const override { return kind_; }

 private:
  std::string kind_;
  PotentialFn potential_, gradient_;
};

}  // namespace enflow::geometry

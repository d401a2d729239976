// Flow maps x ↦ Φ(x) for the EVNN Lagrangian solver — the gradient of
// a strictly convex potential (input-convex network plus a convex quadratic) or a stack of
// planar flows — with log det ∇Φ computed exactly by automatic differentiation. (The
// Eulerian solver's scalar field is nn::ScalarNet.)
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace enflow::flows {

struct FlowMapOptions {
  explicit FlowMapOptions(int64_t dim) : dim_(dim) {}
  TORCH_ARG(int64_t, dim);
  /// "icnn": Φ = ∇ψ, ψ(x) = ½xᵀ(AAᵀ + εI)x + cᵀx + ICNN(x), non-negative ICNN weights by
  /// softplus, so ∇Φ ⪰ εI (symmetric positive definite: Φ is invertible).
  /// "planar": Φ = f_K ∘ … ∘ f_1 ∘ (affine x ↦ a⊙x + c, a > 0), f(x) = x + û tanh(wᵀx + b)
  /// with wᵀû ≥ −1 (invertible).
  TORCH_ARG(std::string, kind) = "icnn";
  TORCH_ARG(int64_t, width) = 32;
  /// ICNN hidden layers (0: no ICNN, ψ quadratic, Φ affine), or the number of planar layers.
  TORCH_ARG(int64_t, depth) = 2;
  /// ε: the smallest eigenvalue of ∇Φ for "icnn".
  TORCH_ARG(double, min_curvature) = 1e-3;
};

/// A map Φ : [N, d] → [N, d] that is differentiable in x (create_graph) and the parameters.
/// Parameters start at (or near) the identity map.
class FlowMapImpl : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& x) = 0;
  /// ∇Φ(x) [N, d, d] (row k = ∇Φ_k), and Φ(x) into *phi if given; both differentiable in the
  /// parameters. Default: d reverse passes through forward (create_graph); the convex-gradient
  /// map overrides it with the closed-form Hessian of its potential.
  virtual at::Tensor jacobian(const at::Tensor& x, at::Tensor* phi = nullptr);
};
using FlowMap = std::shared_ptr<FlowMapImpl>;

FlowMap make_flow_map(const FlowMapOptions& options);

/// Φ(x) and log det ∇Φ(x) (exact: the d×d Jacobian by d reverse passes with create_graph).
/// Both stay differentiable in the map's parameters. Where a determinant is not positive (a
/// folded map) log det is NaN or −inf; the solvers reject such steps.
std::pair<at::Tensor, at::Tensor> map_and_logdet(FlowMapImpl& map, const at::Tensor& x);

/// log det of Jacobians [N, d, d] → [N] (NaN or −inf where det ≤ 0).
at::Tensor jacobian_logdet(const at::Tensor& J);

/// The Jacobian ∇Φ(x) [N, d, d] (row k = ∇Φ_k), differentiable in the parameters.
at::Tensor map_jacobian(FlowMapImpl& map, const at::Tensor& x, at::Tensor* phi = nullptr);

}  // namespace enflow::flows

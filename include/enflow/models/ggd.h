// Generalized gradient dynamics (GGD): dx/dt = ∂Ξ/∂x*(x, x*) at x* = ∂S/∂x, with S concave
// and Ξ a dissipation potential (convex in x*, Ξ(x, 0) = 0, ∂Ξ/∂x*(x, 0) = 0), so that
// dS/dt = ⟨x*, ∂Ξ/∂x*⟩ ≥ Ξ ≥ 0 for every parameter value. Either potential is learned
// (concave ICNN, normalized PICNN; nn/icnn.h, geometry/dissipation.h) or prescribed by a
// reference system (systems/gradient_system.h).
//
// Discrete time: (x₁ − x₀)/Δt = ∂Ξ/∂x*(x̄, ∇̄S(x₁, x₀)) with ∇̄S the automatic discrete
// gradient and x̄ = (x₀ + x₁)/2 or x₀. Then S(x₁) − S(x₀) = ∇̄S·(x₁ − x₀)
// = Δt ⟨∇̄S, ∂Ξ/∂x*(x̄, ∇̄S)⟩ ≥ Δt Ξ(x̄, ∇̄S) ≥ 0: the entropy never decreases, whatever Δt
// (proof in docs/ggd.md).
//
// Grids: a prescribed entropy or dissipation of a grid system keeps the system's scaling
// (x* = δS/δx = ∂S/∂x / Δx, rate (1/Δx) ∂Ξ/∂x*); learned potentials absorb it. Positive
// scalings leave the inequality above intact.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <string>

#include "enflow/geometry/dissipation.h"
#include "enflow/models/model.h"
#include "enflow/nn/energy_net.h"
#include "enflow/systems/gradient_system.h"

namespace enflow::models {

class GgdModelImpl : public DynamicsModelImpl {
 public:
  /// Uses o.dim(), o.network ("mlp": dense networks of o.ggd() widths; "periodic_conv":
  /// periodic-grid networks with o.channels() × o.depth(), stencil o.kernel()) and o.ggd().
  /// Throws std::invalid_argument for unknown choices or a missing/unsuitable system.
  explicit GgdModelImpl(const ModelOptions& o);
  std::string type() const override { return "ggd"; }
  at::Tensor time_derivative(const at::Tensor& x, bool create_graph) override;
  /// The entropy S is the model's energy (its discrete gradient drives the scheme).
  bool has_energy() const override { return true; }
  ad::EnergyFn energy_fn() override { return entropy_fn_; }
  /// ∂Ξ/∂x*(x̄, ∇̄S(x₁, x₀)).
  at::Tensor discrete_time_derivative(const at::Tensor& x1, const at::Tensor& x0, bool create_graph,
                                      const at::Tensor& t_mid = {}) override;
  /// Solves the implicit entropy-increasing step by damped Newton. newton_tol 0 selects
  /// 1e-12 (relative to max(1, |x|∞)): the networks' rounding floor is tens of machine
  /// epsilons, and a residual r changes S(x₁) − S(x₀) ≥ 0 by at most |∇̄S·r|.
  at::Tensor implicit_step(const at::Tensor& x, double dt, double newton_tol,
                           int max_iterations) override;

  /// S(x) → [B].
  at::Tensor entropy(const at::Tensor& x);
  /// x* = ∂S/∂x (per Δx for a system entropy on a grid) → [B, d].
  at::Tensor conjugate(const at::Tensor& x, bool create_graph = false);
  /// Ξ(x, x*) → [B] and ∂Ξ/∂x*(x, x*) → [B, d] (the latter scaled to a rate on grids).
  at::Tensor dissipation(const at::Tensor& x, const at::Tensor& xs, bool create_graph = false);
  at::Tensor dissipation_gradient(const at::Tensor& x, const at::Tensor& xs,
                                  bool create_graph = false);
  const GgdOptions& options() const { return options_; }
  /// x* = entropy_scale · ∂S/∂x and dx/dt = rate_scale · ∂Ξ/∂x* (1 unless a prescribed
  /// grid potential is used, then 1/Δx).
  double entropy_scale() const { return entropy_scale_; }
  double rate_scale() const { return rate_scale_; }
  /// The learned ideal-mixture weights aᵢ ≥ 0 (options().entropy_basis() "ideal_mixture");
  /// undefined otherwise.
  at::Tensor mixture_weights() const;

 private:
  GgdOptions options_;
  int64_t dim_;
  std::shared_ptr<systems::GeneralizedGradientSystem> system_;
  nn::EnergyNet entropy_net_{nullptr};
  ad::EnergyFn entropy_fn_;
  double entropy_scale_ = 1.0;  // x* = entropy_scale · ∂S/∂x
  at::Tensor mixture_raw_;      // θ of aᵢ = softplus(θᵢ)
  geometry::DissipationPotential xi_;
  double rate_scale_ = 1.0;  // dx/dt = rate_scale · ∂Ξ/∂x*

  /// What the learned Ξ reads as its state: x, or ln x (options().x_features() "log").
  at::Tensor state_features(const at::Tensor& x) const;
};

/// The reference system named in options.system() with options.system_params(), as a
/// generalized gradient system; throws std::invalid_argument if it is not one.
std::shared_ptr<systems::GeneralizedGradientSystem> ggd_system(const GgdOptions& options);

}  // namespace enflow::models

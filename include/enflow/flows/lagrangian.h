// EVNN, Lagrangian: a generalized diffusion ρ_t = ∇·(ρ ∇ δF/δρ) for particles X_i with
// constant masses m_i. Each step finds a flow map Φ minimizing the discrete
// energy-dissipation functional
//   J(Φ) = Σ_i m_i |Φ(X_i) − X_i|² / (2τ) + F_h[Φ],
//   F_h   = Σ_i m_i [ g(ρ_i) + V(X_i) ],  g(ρ) = f(ρ)/ρ (internal energy per mass),
// and moves X_i ← Φ(X_i), log ρ_i ← log ρ_i − log det ∇Φ(X_i) (exact Jacobian by autodiff).
//
// Optionally J also holds a non-negative penalty on the non-affine part of Φ (options).
//
// Energy law. J(id) = F_h at the current state; a step is accepted only if the map found has
// J(Φ) ≤ J(id) and F_h[Φ] ≤ F_h (evaluated after the optimizer). Otherwise the optimizer is
// restarted once from the identity map, and if that also fails the particles stay put and the
// step is reported as rejected. Masses never change, so mass is conserved exactly.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <functional>
#include <memory>
#include <string>

#include "enflow/flows/eulerian.h"
#include "enflow/flows/networks.h"

namespace enflow::distributed {
class Group;
}

namespace enflow::flows {

struct LagrangianEnergy {
  /// g(ρ) per unit mass, given ρ and log ρ (e.g. log ρ for entropy, ρ^{m−1}/(m−1)).
  std::function<at::Tensor(const at::Tensor& rho, const at::Tensor& log_rho)> internal;
  /// External potential V(x) [N] (optional).
  std::function<at::Tensor(const at::Tensor& x)> potential;
};

struct LagrangianOptions {
  TORCH_ARG(double, tau) = 1e-2;
  /// How each step is minimized (L-BFGS: at most max_iter·5/4 + 1 evaluations unless
  /// max_eval is set).
  TORCH_ARG(nn::OptimizerOptions, optimizer) = nn::OptimizerOptions().max_iter(100);
  /// Start each step's optimizer from the previous step's map (else from the initial, near-
  /// identity map). The Fokker–Planck cases in 4-D and above turn it off: a warm start carries
  /// each step's non-affine part (fitted to the particles) into the next step (docs/evnn.md).
  TORCH_ARG(bool, warm_start) = true;
  /// λ ≥ 0: adds the dissipation-like term λ/(2τ) Σ_i m_i ‖∇Φ(X_i) − J̄‖²_F, J̄ the mass-weighted
  /// mean Jacobian. It vanishes for every affine map (the identity included) and penalizes only
  /// the spatial variation of the step's Jacobian, i.e. the non-affine part of the map. Being
  /// non-negative it keeps the energy law: J(Φ) ≤ F_h still implies F_h[Φ] ≤ F_h.
  TORCH_ARG(double, jacobian_penalty) = 0.0;
  /// Many processes: each holds its share of the particles (the constructor's x, masses and
  /// log densities are this rank's); energies, objectives and gradients are sums over all
  /// ranks, so every rank takes the same step (docs/distributed.md). jacobian_penalty, whose
  /// mean Jacobian couples all particles, needs one process.
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;
};

class LagrangianSolver {
 public:
  /// x [N, d], masses [N] (positive), log_rho [N] = log of the density at x.
  LagrangianSolver(FlowMap map, LagrangianEnergy energy, at::Tensor x, at::Tensor masses,
                   at::Tensor log_rho, LagrangianOptions options);

  StepReport step();
  double energy();
  double time() const { return t_; }
  int64_t steps_taken() const { return n_; }
  const at::Tensor& positions() const { return x_; }
  const at::Tensor& masses() const { return m_; }
  const at::Tensor& log_density() const { return log_rho_; }
  /// Σ m_i (over every rank's particles).
  double total_mass() const;

  /// Passive tracers: points y_j [M, d] with log densities (independent samples of the initial
  /// density, say). Each accepted map moves them as it moves the particles, y ← Φ(y),
  /// log ρ ← log ρ − log det ∇Φ(y), so they sample the density the maps define — the
  /// push-forward of the initial density — independently of the particles the maps were fitted
  /// to: unbiased error estimates.
  void set_tracers(const at::Tensor& x, const at::Tensor& log_rho);
  const at::Tensor& tracer_positions() const { return tracer_x_; }
  const at::Tensor& tracer_log_density() const { return tracer_log_rho_; }

 private:
  at::Tensor energy_of(const at::Tensor& x, const at::Tensor& log_rho);
  bool attempt(double f0, StepReport* report);
  void transport_tracers();

  FlowMap map_;
  LagrangianEnergy energy_;
  at::Tensor x_, m_, log_rho_;
  at::Tensor tracer_x_, tracer_log_rho_;
  LagrangianOptions options_;
  std::vector<at::Tensor> identity_;  // the map's initial parameters
  double t_ = 0;
  int64_t n_ = 0;
};

/// Relative L² error of a particle density against an exact density ρ*:
/// ‖ρ_h − ρ*‖ / ‖ρ*‖ with ∫ h² dx ≈ Σ m_i h(X_i)² / ρ_i.
/// With a group, the particles are this rank's share and the sums run over all ranks.
double particle_relative_l2(const at::Tensor& masses, const at::Tensor& log_rho,
                            const at::Tensor& exact_rho, distributed::Group* group = nullptr);
/// Symmetric KL divergence KL(ρ_h‖ρ*) + KL(ρ*‖ρ_h) by the same particle quadrature:
/// Σ m̂_i [δ_i + e^{−δ_i}(−δ_i)], δ = log ρ_h − log ρ*, m̂ = m/Σm. For independent samples of ρ_h
/// (equal masses) both terms are unbiased Monte Carlo estimates (the second by importance
/// weights ρ*/ρ_h).
double particle_symmetric_kl(const at::Tensor& masses, const at::Tensor& log_rho,
                             const at::Tensor& exact_log_rho, distributed::Group* group = nullptr);
/// The standard error of that estimate for M independent, equally weighted samples of ρ_h.
double sample_symmetric_kl_std_error(const at::Tensor& log_rho, const at::Tensor& exact_log_rho,
                                     distributed::Group* group = nullptr);

}  // namespace enflow::flows

// Time stepping with a learned model: the one-step map used for training (through
// which the loss back-propagates) and for long-term prediction.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <string>
#include <vector>

#include "enflow/integrators/linear_solver.h"
#include "enflow/models/model.h"

namespace enflow::integrators {
struct NewtonWorkspace;
}

namespace enflow::models {

struct StepOptions {
  /// A name of the integrator table (integrators/integrator_registry.h): discrete_gradient,
  /// euler, rk2, rk4, dopri5, leapfrog, or one a program registered itself.
  TORCH_ARG(std::string, integrator) = "discrete_gradient";
  TORCH_ARG(double, rtol) = 1e-6;       ///< dopri5
  TORCH_ARG(double, atol) = 1e-8;       ///< dopri5
  TORCH_ARG(double, newton_tol) = 0.0;  ///< discrete_gradient; 0: 16 machine epsilons
  TORCH_ARG(int, newton_max_iterations) = 50;
  /// discrete_gradient: a step Newton cannot solve is retaken as two half steps, down to
  /// dt / 2^newton_max_halvings (0: never; the error is thrown at once).
  TORCH_ARG(int, newton_max_halvings) = 6;
  /// discrete_gradient: Newton's linear solves (kAuto: matrix-free GMRES for large grids).
  TORCH_ARG(integrators::LinearSolver, linear_solver) = integrators::LinearSolver::kAuto;

 public:
};

/// Names accepted by StepOptions::integrator (the integrator table, sorted).
std::vector<std::string> integrator_names();

/// The model's estimate of (u₁ − u₀)/Δt for training pairs (Δt [B], per pair):
/// G∇̄H(u₁, u₀) for the discrete-gradient scheme, (Φ_Δt(u₀) − u₀)/Δt for the others.
/// Differentiable with respect to the model's parameters.
/// t0 [B]: the pairs' start times (read only by time-dependent forces, at t0 + Δt/2;
/// undefined: 0).
at::Tensor model_rate(DynamicsModelImpl& model, const at::Tensor& u0, const at::Tensor& u1,
                      const at::Tensor& dt, const StepOptions& options, const at::Tensor& t0 = {});

/// One step from u [B, d] over per-sample steps dt [B] through which gradients flow, to the
/// model's parameters and to u (multi-step training). Explicit schemes: autograd through
/// their stages. The discrete-gradient scheme: Newton solves r(u₁) = u₁ − u − Δt·G∇̄H(u₁, u)
/// = 0 without a graph, then the implicit function theorem gives the derivatives at the
/// solution — u₁ = u₁* − J⁻¹ r(u₁*; u, θ) with J = ∂r/∂u₁ at u₁* held constant, whose
/// value is u₁* (one more Newton correction) and whose derivatives are −J⁻¹ ∂r/∂θ and
/// −J⁻¹ ∂r/∂u: one [d, d] solve per sample, never a backward pass through the iterations.
/// t0 [B]: the start times, as for model_rate.
at::Tensor differentiable_step(DynamicsModelImpl& model, const at::Tensor& u, const at::Tensor& dt,
                               const StepOptions& options, const at::Tensor& t0 = {});

/// One prediction step from u [B, d] over dt (detached result). The discrete-gradient
/// step solves the implicit scheme by Newton; where Newton does not converge the step is
/// taken as two half steps (recursively, see newton_max_halvings), each of which keeps the
/// discrete energy law, so their composition does too. Throws std::runtime_error if even
/// the smallest substep fails. A workspace carries the Jacobian to the next step (rollout
/// keeps one). t0 [B]: the start times; a time-dependent force enters at t0 + Δt/2 (each
/// half step at its own midpoint), so every step keeps the energy balance with f̄ = f(t_mid).
/// halvings (optional): incremented by the number of times the step was split.
at::Tensor predict_step(DynamicsModelImpl& model, const at::Tensor& u, double dt,
                        const StepOptions& options,
                        integrators::NewtonWorkspace* workspace = nullptr,
                        const at::Tensor& t0 = {}, int64_t* halvings = nullptr);

/// What a rollout saw: the steps k (from t[k−1] to t[k], 1-based) that the implicit scheme
/// took as halves. Each half keeps the discrete energy balance; the whole step keeps it only
/// for a skew G without force, so the balance metrics leave these steps out and count them.
struct RolloutReport {
  std::vector<int64_t> halved_steps;
};

/// Rolls out from u0 [B, d] with time stamps t [T] (t[0] is u0's time): [B, T, d].
at::Tensor rollout(DynamicsModelImpl& model, const at::Tensor& u0, const at::Tensor& t,
                   const StepOptions& options, RolloutReport* report = nullptr);

}  // namespace enflow::models

// The implicit discrete-gradient scheme (u₁ − u₀)/Δt = G ∇̄H(u₁, u₀), solved by Newton.
// With G skew it conserves H exactly (up to the Newton tolerance); with G negative
// semi-definite H never increases, whatever Δt.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <functional>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/integrators/linear_solver.h"

namespace enflow::integrators {

struct NewtonOptions {
  /// Converged when max |residual| ≤ tol·max(1, max |u₁|). 0 selects 16 machine epsilons
  /// of the state's dtype, so the scheme's conservation law holds to rounding.
  TORCH_ARG(double, tol) = 0.0;
  TORCH_ARG(int, max_iterations) = 50;
  /// The discrete-gradient step's linear solves (newton_solve is always dense).
  TORCH_ARG(LinearSolver, linear_solver) = LinearSolver::kAuto;
  /// kGmres: Krylov vectors kept before GMRES restarts, and JVPs allowed per Newton iteration.
  TORCH_ARG(int, krylov_restart) = 30;
  TORCH_ARG(int, krylov_max_iterations) = 400;

 public:
};

struct NewtonReport {
  int iterations = 0;
  int jacobians = 0;      ///< Jacobians computed (each a batched reverse pass over d copies)
  int jvps = 0;           ///< Jacobian–vector products (GMRES; each one batched double-backward)
  double residual = 0.0;  ///< max-norm residual of the last iterate
  bool converged = false;
};

/// The inverse Jacobian of the last solve, carried from one step to the next by a
/// rollout. Between nearby steps it changes little, so the next solve starts with it
/// (simplified Newton) and computes a fresh one only when that is cheaper (see below).
/// The converged step is the same: convergence is judged on the true residual.
struct NewtonWorkspace {
  at::Tensor inverse;  ///< [B, d, d], undefined before the first solve
  double dt = 0.0;     ///< the step size it was computed for
};

/// One step for a batch u₀ [B, d] with structure G [d, d]. The Jacobian comes from
/// autograd, all d rows in one batched reverse pass (about 2d residual evaluations). It is
/// reused across iterations (and across steps with a workspace) while the iterations still
/// needed at the observed contraction ‖r_k‖∞/‖r_{k−1}‖∞ cost less than a new one and fit in
/// max_iterations; otherwise it is recomputed, at the previous iterate if the reused one made
/// the residual grow. Throws std::runtime_error if Newton does not converge (never a silent
/// step).
at::Tensor discrete_gradient_step(const ad::EnergyDerivatives& H, const at::Tensor& G,
                                  const at::Tensor& u0, double dt,
                                  const NewtonOptions& options = {}, NewtonReport* report = nullptr,
                                  NewtonWorkspace* workspace = nullptr);
/// G given as its action on a batch of gradients g [B, d] → g Gᵀ (differentiable in g): a
/// stencil on a grid, never a dense matrix. With LinearSolver kGmres (kAuto for d above
/// kGmresAutoDim) no [d, d] tensor is formed: Newton–Krylov, GMRES on J v from autograd
/// (double backward), the same convergence test on the true residual; the workspace is
/// then unused.
using StructureApply = std::function<at::Tensor(const at::Tensor& g)>;
at::Tensor discrete_gradient_step(const ad::EnergyDerivatives& H, const StructureApply& G,
                                  const at::Tensor& u0, double dt,
                                  const NewtonOptions& options = {}, NewtonReport* report = nullptr,
                                  NewtonWorkspace* workspace = nullptr);
/// The same for an energy written against ad::Var.
at::Tensor discrete_gradient_step(const ad::EnergyFn& H, const at::Tensor& G, const at::Tensor& u0,
                                  double dt, const NewtonOptions& options = {},
                                  NewtonReport* report = nullptr,
                                  NewtonWorkspace* workspace = nullptr);

}  // namespace enflow::integrators

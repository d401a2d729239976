// The discrete-gradient step by matrix-free Newton–Krylov (discrete_gradient_scheme.h,
// LinearSolver::kGmres); internal to the library.
#pragma once

#include <ATen/core/Tensor.h>

#include "enflow/integrators/discrete_gradient_scheme.h"

namespace enflow::integrators::detail {

/// What both linear solvers of the step share: r(u₁) = u₁ − u₀ − Δt·G∇̄H(u₁, u₀), the
/// explicit Euler guess and the tolerance (the option's, else 16 machine epsilons).
struct DiscreteGradientResidual {
  DiscreteGradientResidual(const ad::EnergyDerivatives& H, const StructureApply& applyG,
                           const at::Tensor& u0, double dt, double tol_option);
  at::Tensor guess() const;
  at::Tensor operator()(const at::Tensor& u1) const;  ///< detached

  const ad::EnergyDerivatives& H;
  const StructureApply& applyG;
  at::Tensor u0;  ///< detached
  double dt, tol;
};

/// Newton on r(u₁) = u₁ − u₀ − Δt·G∇̄H(u₁, u₀) from the explicit Euler guess, each linear
/// system J δ = −r solved by batched GMRES with J v = ∂/∂w [(Jᵀw)·v] (double backward
/// through the energy's differentiable discrete gradient). Converged, and only then returned,
/// when max |r| ≤ tol·max(1, max |u₁|) on the true residual; throws std::runtime_error
/// otherwise.
at::Tensor newton_krylov_step(const ad::EnergyDerivatives& H, const StructureApply& applyG,
                              const at::Tensor& u0, double dt, const NewtonOptions& options,
                              NewtonReport* report);

}  // namespace enflow::integrators::detail

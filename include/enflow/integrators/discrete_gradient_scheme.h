// The implicit discrete-gradient scheme (u₁ − u₀)/Δt = G ∇̄H(u₁, u₀), solved by Newton.
// With G skew it conserves H exactly (up to the Newton tolerance); with G negative
// semi-definite H never increases, whatever Δt.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "enflow/ad/discrete_gradient.h"

namespace enflow::integrators {

struct NewtonOptions {
  /// Converged when max |residual| ≤ tol·max(1, max |u₁|). 0 selects 16 machine epsilons
  /// of the state's dtype, so the scheme's conservation law holds to rounding.
  TORCH_ARG(double, tol) = 0.0;
  TORCH_ARG(int, max_iterations) = 50;
};

struct NewtonReport {
  int iterations = 0;
  double residual = 0.0;  ///< max-norm residual of the last iterate
  bool converged = false;
};

/// One step for a batch u₀ [B, d] with structure G [d, d]. The Jacobian comes from
/// autograd, all d rows in one batched reverse pass. Throws std::runtime_error if Newton
/// does not converge (never a silent step).
at::Tensor discrete_gradient_step(const ad::EnergyDerivatives& H, const at::Tensor& G,
                                  const at::Tensor& u0, double dt,
                                  const NewtonOptions& options = {},
                                  NewtonReport* report = nullptr);
/// The same for an energy written against ad::Var.
at::Tensor discrete_gradient_step(const ad::EnergyFn& H, const at::Tensor& G, const at::Tensor& u0,
                                  double dt, const NewtonOptions& options = {},
                                  NewtonReport* report = nullptr);

}  // namespace enflow::integrators

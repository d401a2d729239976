// Learned entropy and dissipation against a reference system's, up to the gauge of
// generalized gradient dynamics: (S, Ξ) and (αS + a·x + β, Ξ') with
//   Ξ'(x, z) = μ Ξ(x, ν(z − a_t a)),  ν = a_l/(a_t α),  μ = b_l a_t α/(b_t a_l),
// give the same dynamics (x* = a ∂S/∂x and rate b ∂Ξ/∂x*, subscripts l learned, t true;
// a must lie in the directions Ξ ignores, e.g. the conserved combinations of a reaction
// network). α > 0 and β are always fitted; the linear term a only when asked.
#pragma once

#include <ATen/core/Tensor.h>

#include "enflow/models/ggd.h"
#include "enflow/systems/gradient_system.h"

namespace enflow::learn {

struct GgdGauge {
  double alpha = 1.0, beta = 0.0;
  at::Tensor a;                 ///< [d], zeros unless fitted
  double entropy_rel_rmse = 0;  ///< ‖S_true − gauged S‖ / ‖S_true − mean S_true‖ on the fit states
  bool valid = true;  ///< false if the fitted α is not positive (no consistent gauge)
};

/// Least-squares fit of S_true(x) ≈ α S(x) + a·x + β on sample states x [N, d].
GgdGauge fit_gauge(models::GgdModelImpl& model, const systems::GeneralizedGradientSystem& system,
                   const at::Tensor& x, bool affine);

/// The model's entropy and dissipation in the system's gauge (float64).
at::Tensor gauged_entropy(models::GgdModelImpl& model, const GgdGauge& g, const at::Tensor& x);
at::Tensor gauged_dissipation(models::GgdModelImpl& model,
                              const systems::GeneralizedGradientSystem& system, const GgdGauge& g,
                              const at::Tensor& x, const at::Tensor& z);

/// Relative RMSE of the gauged dissipation against the system's over (x, z) samples.
double dissipation_rel_rmse(models::GgdModelImpl& model,
                            const systems::GeneralizedGradientSystem& system, const GgdGauge& g,
                            const at::Tensor& x, const at::Tensor& z);

}  // namespace enflow::learn

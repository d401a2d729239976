// Learned entropy and dissipation against a reference system's, up to the gauge of
// generalized gradient dynamics: (S, Ξ) and (αS + a·x + β, Ξ') with
//   Ξ'(x, z) = μ Ξ(x, ν(z − a_t a)),  ν = a_l/(a_t α),  μ = b_l a_t α/(b_t a_l),
// give the same dynamics (x* = a ∂S/∂x and rate b ∂Ξ/∂x*, subscripts l learned, t true;
// a must lie in the directions Ξ ignores, e.g. the conserved combinations of a reaction
// network). α > 0 and β are always fitted; the linear term a only when asked.
#pragma once

#include <ATen/core/Tensor.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/io/dataset.h"

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

/// What `enflow reproduce ggd` measures of a trained GGD model on a dataset's series.
struct GgdMeasures {
  double mse_central = NAN;  ///< continuous-time rate at x_k vs central differences
  double mse_exact = NAN;    ///< vs the system's exact rate at the same states
  double mse_scheme = NAN;   ///< the training scheme's own loss on the series' pairs
  int64_t entropy_decreases = 0, entropy_steps = 0;  ///< from check_entropy_law
  double entropy_min_increment = NAN;
  double gauge_S = NAN, gauge_Xi = NAN;  ///< gauged relative RMSEs (learned parts only)
};

/// The rate MSEs and the gauged entropy / dissipation errors on `series` of `data`
/// (config: the model's train.integrator and train.derivative).
GgdMeasures measure_ggd(models::GgdModelImpl& model, const io::Config& config,
                        const io::Dataset& data, const systems::GeneralizedGradientSystem& system,
                        const std::vector<int64_t>& series);

/// The discrete entropy law along predictions from x0 at dt and 10 dt (`steps` steps of the
/// discrete-gradient scheme): counts decreases beyond rounding (1e-12 relative) into r.
void check_entropy_law(models::GgdModelImpl& model, const at::Tensor& x0, double dt, int64_t steps,
                       GgdMeasures& r);

}  // namespace enflow::learn

// Metropolis-adjusted Langevin chains on a log-density: the asymptotically exact reference
// the particle samplers are judged against (e.g. SVGD's Bayesian logistic regression).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>

#include "enflow/particles/common.h"

namespace enflow::particles {

struct MalaOptions {
  TORCH_ARG(double, step) = 0.01;      ///< initial ε in y = x + ε ∇log p(x) + √(2ε) ξ
  TORCH_ARG(int64_t, burn_in) = 1000;  ///< steps discarded; ε adapts to target_acceptance here
  TORCH_ARG(int64_t, samples) = 1000;  ///< kept per chain after burn-in
  TORCH_ARG(int64_t, thin) = 1;        ///< steps between two kept samples
  TORCH_ARG(double, target_acceptance) = 0.574;
};

struct MalaResult {
  at::Tensor samples;     ///< [samples · chains, d], chain-major per kept step
  double acceptance = 0;  ///< after burn-in
  double step = 0;        ///< ε after adaptation
};

/// Runs the chains started at x0 [chains, d] (uses the global generator). Throws
/// std::invalid_argument on bad options, std::runtime_error if a chain leaves the support.
MalaResult mala(const LogDensity& log_p, const at::Tensor& x0, const MalaOptions& options);

}  // namespace enflow::particles

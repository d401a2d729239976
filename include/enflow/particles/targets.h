// Analytic target densities for the samplers, with exact samples and exact first two moments
// so that a sampler's output can be judged: Gaussian, isotropic Gaussian mixture, banana.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>

#include "enflow/particles/common.h"

namespace enflow::particles {

struct Target {
  std::string name;
  int64_t dim = 0;
  LogDensity log_prob;                        ///< normalized
  std::function<at::Tensor(int64_t)> sample;  ///< n exact i.i.d. samples (global generator)
  at::Tensor mean, cov;                       ///< exact moments [d], [d, d]
};

/// N(mean, cov); cov must be symmetric positive definite.
Target gaussian_target(const at::Tensor& mean, const at::Tensor& cov);

/// Σ_k w_k N(means_k, stds_k² I): weights [K] (positive, normalized here), means [K, d],
/// stds [K] (positive).
Target mixture_target(const at::Tensor& weights, const at::Tensor& means, const at::Tensor& stds);

/// The banana: x₁ ~ N(0, s²), x₂ | x₁ ~ N(b (x₁² − s²), 1); mean 0, Var x₁ = s²,
/// Var x₂ = 1 + 2 b² s⁴, uncorrelated.
Target banana_target(double s, double b, const at::TensorOptions& options);

}  // namespace enflow::particles

// Bayesian logistic regression on a small synthetic data set made in code (seeded): the
// posterior is SVGD's real-world example, judged against long MALA chains on the same
// posterior through the posterior predictive on held-out data.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "enflow/particles/common.h"

namespace enflow::particles {

/// Design matrices with a leading column of ones (the intercept) and labels in {0, 1}.
struct LogisticData {
  at::Tensor x_train, y_train, x_test, y_test;  ///< [n, 1 + features], [n]
  at::Tensor w_true;                            ///< [1 + features], the generating weights
};

/// Features ~ N(0, Σ), Σᵢⱼ = 0.5^|i−j|; w_true ~ N(0, I); y ~ Bernoulli(σ(x·w_true)).
/// Reseeds the global generator with `seed`.
LogisticData synthetic_logistic_data(int64_t n_train, int64_t n_test, int64_t features,
                                     uint64_t seed, const at::TensorOptions& options);

/// log p(w | x, y) up to a constant with the prior w ~ N(0, prior_std² I): [S, p] -> [S].
LogDensity logistic_posterior(const at::Tensor& x, const at::Tensor& y, double prior_std);

/// The posterior predictive p(y = 1 | x) ≈ mean over samples of σ(x·w), scored on (x, y).
struct Predictive {
  double accuracy = 0;        ///< fraction of labels predicted with probability > 1/2
  double log_likelihood = 0;  ///< mean log p(yᵢ | xᵢ) under the predictive
};
Predictive posterior_predictive(const at::Tensor& w_samples, const at::Tensor& x,
                                const at::Tensor& y);

}  // namespace enflow::particles

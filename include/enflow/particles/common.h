// Shared pieces of the particle methods: log-densities on batches, their scores, and progress
// reports of the particle loops.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace enflow::particles {

/// log p on a batch: [N, d] -> [N]. Differentiable in x (analytic, or a network); the
/// normalizing constant may be missing.
using LogDensity = std::function<at::Tensor(const at::Tensor&)>;

/// The score ∇ log p(x) [N, d] by reverse-mode autodiff; no graph is kept.
at::Tensor score(const LogDensity& log_p, const at::Tensor& x);

/// One progress report of a particle or training loop.
struct Progress {
  int64_t iteration = 0, iterations = 0;
  double loss = 0;    ///< the quantity the loop decreases (or a summary of the particles)
  double metric = 0;  ///< a second number, method-specific (bandwidth, test loss, ...)
};
using ProgressFn = std::function<void(const Progress&)>;

}  // namespace enflow::particles

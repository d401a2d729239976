// Shared pieces of the particle methods: log-densities on batches and their scores
// (progress reports: enflow/progress.h).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "enflow/progress.h"

namespace enflow::particles {

/// log p on a batch: [N, d] -> [N]. Differentiable in x (analytic, or a network); the
/// normalizing constant may be missing.
using LogDensity = std::function<at::Tensor(const at::Tensor&)>;

/// The score ∇ log p(x) [N, d] by reverse-mode autodiff; no graph is kept.
at::Tensor score(const LogDensity& log_p, const at::Tensor& x);

}  // namespace enflow::particles

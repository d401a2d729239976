// Shared pieces of the variational solvers: scalar fields on batches, weighted samples and
// training progress reports.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace enflow::variational {

/// A scalar field evaluated on a batch: [B, d] -> [B].
using ScalarField = std::function<at::Tensor(const at::Tensor&)>;

/// Samples x [n, d] with log-weights log_w [n]: log(target density / sampling density) up to
/// an additive constant (all zeros when sampling the target itself).
struct WeightedSamples {
  at::Tensor x, log_w;
};
using Sampler = std::function<WeightedSamples(int64_t n)>;

/// One progress report of an optimization loop.
struct Progress {
  int64_t iteration = 0, iterations = 0;
  double loss = 0;    ///< the objective (Dirichlet energy, Ritz energy, variational energy)
  double metric = 0;  ///< a second number (penalty, error bar, ...), solver-specific
};
using ProgressFn = std::function<void(const Progress&)>;

}  // namespace enflow::variational

// Shared pieces of the variational solvers: scalar fields on batches and weighted samples
// (progress reports: enflow/progress.h).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "enflow/progress.h"

namespace enflow::variational {

/// A scalar field evaluated on a batch: [B, d] -> [B].
using ScalarField = std::function<at::Tensor(const at::Tensor&)>;

/// Samples x [n, d] with log-weights log_w [n]: log(target density / sampling density) up to
/// an additive constant (all zeros when sampling the target itself).
struct WeightedSamples {
  at::Tensor x, log_w;
};
using Sampler = std::function<WeightedSamples(int64_t n)>;

}  // namespace enflow::variational

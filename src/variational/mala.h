// Internal: Metropolis-adjusted Langevin sampling of exp(-sample_beta V) with likelihood weights
// for a target exp(-beta V), shared by the committor problems that need Gibbs samples.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>

#include "enflow/variational/committor.h"

namespace enflow::variational::detail {

/// Persistent MALA chains, created by `init(n)` and burnt in on the first call (and whenever
/// n changes); each call advances mala.thin() steps and returns the chains' states with
/// log-weights -(beta - sample_beta) V. With `region` ([B, d] -> bool [B]), proposals
/// outside it are rejected: the chains sample the measure restricted to the region.
Sampler mala_sampler(const ScalarField& potential, double beta, const MalaOptions& mala,
                     std::function<torch::Tensor(int64_t)> init,
                     std::function<torch::Tensor(const torch::Tensor&)> region = nullptr);

}  // namespace enflow::variational::detail

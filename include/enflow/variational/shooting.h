// Committor values by direct simulation ("shooting"): from each start point, many
// Euler-Maruyama paths of dX = -grad V dt + sqrt(2/beta) dB run until they enter A or B, and
// q is the fraction that reaches B first. An estimate independent of the variational solver,
// for problems without a closed form (Ginzburg-Landau, Mueller-Brown in 10-D).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>

#include "enflow/variational/committor.h"

namespace enflow::variational {

struct ShootingOptions {
  TORCH_ARG(int64_t, trajectories) = 200;  ///< paths per start point
  TORCH_ARG(double, dt) = 1e-4;
  TORCH_ARG(int64_t, max_steps) = 200000;  ///< paths still undecided then are reported
  TORCH_ARG(int64_t, seed) = 0;
};

struct ShootingResult {
  at::Tensor q;           ///< [P] fraction of decided paths that reached B first
  at::Tensor std_error;   ///< [P] binomial standard error sqrt(q (1 - q) / decided)
  int64_t undecided = 0;  ///< paths in neither set after max_steps (excluded from q)
  int64_t steps = 0;      ///< time steps taken (until every path was decided, or max_steps)
  double seconds = 0;
};

/// Shoots `trajectories` paths from each of the points x0 [P, d]. Needs problem.potential
/// (V = 0 when empty), in_a, in_b and beta. Throws std::invalid_argument on bad input.
ShootingResult shooting_committor(const CommittorProblem& problem, const at::Tensor& x0,
                                  const ShootingOptions& options);

}  // namespace enflow::variational

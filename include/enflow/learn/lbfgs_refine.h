// The refinement phase after Adam: L-BFGS with a strong-Wolfe line search on the same
// loss, mean ‖(u₁ − u₀)/Δt − rate‖², over a fixed set of pairs (all of them, or a seeded
// random subset, so that the objective is deterministic as L-BFGS requires). The loss and
// its gradient are accumulated in chunks, so the pair count is limited by time, not memory.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/learn/trainer.h"

namespace enflow::learn {

struct LbfgsOptions {
  /// Outer L-BFGS steps (each up to max_iter iterations); 0 switches the phase off.
  TORCH_ARG(int64_t, iterations) = 0;
  TORCH_ARG(int64_t, max_iter) = 20;
  TORCH_ARG(double, lr) = 1.0;
  TORCH_ARG(int64_t, history) = 20;
  /// Size of the fixed random subset of pairs (0 or ≥ N: all pairs).
  TORCH_ARG(int64_t, batch) = 0;
  /// Pairs per forward/backward chunk.
  TORCH_ARG(int64_t, chunk) = 4096;
  TORCH_ARG(uint64_t, seed) = 0;
  TORCH_ARG(models::StepOptions, step) = models::StepOptions();
};

struct LbfgsReport {
  int64_t iterations = 0;   ///< outer steps taken
  int64_t evaluations = 0;  ///< loss-and-gradient evaluations
  double initial_loss = 0.0, final_loss = 0.0, seconds = 0.0;
  std::string stop;  ///< why it stopped: "iterations", "converged", "non-finite loss ..."
  std::vector<int64_t> logged_iterations;
  std::vector<double> logged_loss;
};

/// Runs L-BFGS (strong Wolfe) on the model's parameters. If a step produces a non-finite
/// loss the parameters of the last finite one are restored and the phase stops (reported
/// in `stop`); it never leaves the model worse than it started.
LbfgsReport lbfgs_refine(models::DynamicsModelImpl& model, const PairSet& pairs,
                         const LbfgsOptions& options, const ProgressFn& on_progress = {});

/// Options from a config's train.lbfgs_* keys (iterations, max_iter, lr, history, batch),
/// with the given step options and seed.
LbfgsOptions lbfgs_options_from_config(const io::Config& config, const models::StepOptions& step,
                                       uint64_t seed);

}  // namespace enflow::learn

// Metropolis-adjusted Langevin chains on a log-density: the one MALA of enflow. The particle
// methods judge SVGD against it (Bayesian logistic regression) and the committor problems
// draw their Gibbs samples with it (restricted to a region where they need one).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <functional>

namespace enflow::sampling {

/// log p on a batch: [N, d] -> [N], differentiable in x; the normalizing constant may be
/// missing.
using LogDensity = std::function<at::Tensor(const at::Tensor&)>;
/// Membership of a region: [N, d] -> bool [N].
using Region = std::function<at::Tensor(const at::Tensor&)>;

struct MalaOptions {
  TORCH_ARG(double, step) = 0.01;      ///< initial ε in y = x + ε ∇log p(x) + √(2ε) ξ
  TORCH_ARG(int64_t, burn_in) = 1000;  ///< steps discarded; ε adapts to target_acceptance here
  TORCH_ARG(int64_t, samples) = 1000;  ///< kept per chain after burn-in (mala() only)
  TORCH_ARG(int64_t, thin) = 1;        ///< steps between two kept samples
  TORCH_ARG(double, target_acceptance) = 0.574;
};

/// Throws std::invalid_argument naming the bad option.
void check(const MalaOptions& options);

/// Persistent chains: the state survives between calls, so a training loop can draw a fresh
/// decorrelated batch every iteration (advance(thin)) after one burn-in.
class MalaChains {
 public:
  /// Chains started at x0 [chains, d]. With `region`, proposals outside it are rejected: the
  /// chains sample the density restricted to the region. Throws std::runtime_error if
  /// log p is not finite at x0.
  MalaChains(LogDensity log_p, const at::Tensor& x0, const MalaOptions& options,
             Region region = nullptr);

  /// Runs `steps` steps (uses the global generator); with `adapt`, each step moves log ε by
  /// (acceptance − target) / 2 (Robbins–Monro). Returns the mean acceptance over the steps.
  double advance(int64_t steps, bool adapt);
  /// The burn-in of the options, adapting ε.
  void burn_in() { advance(options_.burn_in(), /*adapt=*/true); }

  const at::Tensor& states() const { return x_; }  ///< [chains, d]
  double step() const { return step_; }            ///< the current ε

 private:
  LogDensity log_p_;
  MalaOptions options_;
  Region region_;
  at::Tensor x_, log_p_x_, score_x_;
  double step_;
};

struct MalaResult {
  at::Tensor samples;     ///< [samples · chains, d], chain-major per kept step
  double acceptance = 0;  ///< after burn-in
  double step = 0;        ///< ε after adaptation
};

/// Burn-in, then `samples` states per chain, one every `thin` steps, from chains started at
/// x0 [chains, d]. Throws std::invalid_argument on bad options, std::runtime_error if log p
/// is not finite at x0.
MalaResult mala(const LogDensity& log_p, const at::Tensor& x0, const MalaOptions& options);

}  // namespace enflow::sampling

// Stein variational gradient descent (Liu & Wang 2016): n particles follow
//   φ(xᵢ) = 1/n Σⱼ [k(xⱼ, xᵢ) ∇log p(xⱼ) + ∇_{xⱼ} k(xⱼ, xᵢ)],
// the steepest descent direction of KL(q ‖ p) in the RKHS of k — a kernelized Wasserstein
// gradient flow. RBF kernel k(x, y) = exp(−|x − y|²/h), h by the median heuristic
// h = med²/log(n + 1) (med² the median squared distance between distinct particles) unless
// fixed; steps plain (x += ε φ) or AdaGrad with momentum as in the authors' code.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "enflow/particles/common.h"

namespace enflow::distributed {
class Group;
}

namespace enflow::particles {

/// h = median of |xᵢ − xⱼ|² over i < j, divided by log(n + 1). Needs n >= 2.
double median_bandwidth(const at::Tensor& x);

/// φ at every particle [n, d] from the particles x [n, d], their scores ∇log p(x) [n, d] and the
/// bandwidth h > 0; the driving term is scaled by γ (annealing), the repulsion is not.
at::Tensor svgd_direction(const at::Tensor& x, const at::Tensor& score, double h,
                          double gamma = 1.0);
/// φ at the particles `rows` [m, d] (a share of all of them) from all particles x [n, d] and
/// their scores; svgd_direction(x, score, ...) is svgd_direction_at(x, x, score, ...).
at::Tensor svgd_direction_at(const at::Tensor& rows, const at::Tensor& x, const at::Tensor& score,
                             double h, double gamma = 1.0);

/// Annealing weight γ at iteration `it` (1-based) of Annealed SVGD (D'Angelo & Fortuin 2021):
/// over the first `anneal` iterations, `cycles` ramps ((position in the cycle)/cycle length)^power
/// each ending at 1; γ = 1 afterwards, and always when anneal = 0.
double svgd_annealing(int64_t it, int64_t anneal, int64_t cycles, double power);

/// How particles move along φ.
enum class SvgdStepRule {
  /// AdaGrad with momentum: G ← α G + (1 − α) φ², x += ε φ/(fudge + √G), G = φ² at the first
  /// step (the SVGD authors' code).
  kAdagrad,
  kPlain,  ///< x += ε φ
};
/// "adagrad" | "plain"; throws std::invalid_argument "unknown <key> 'x' (known: adagrad, plain)".
SvgdStepRule svgd_step_rule_from_string(const std::string& name, const std::string& key);
const char* to_string(SvgdStepRule rule);

struct SvgdOptions {
  TORCH_ARG(int64_t, iterations) = 1000;
  /// ε: the step (plain) or master step size (AdaGrad).
  TORCH_ARG(double, step) = 0.1;
  TORCH_ARG(SvgdStepRule, optimizer) = SvgdStepRule::kAdagrad;
  TORCH_ARG(double, momentum) = 0.9;  ///< α
  TORCH_ARG(double, fudge) = 1e-6;
  /// Annealed SVGD: φ = 1/n Σⱼ [γ(t) k ∇log p + ∇k] with γ rising from 0 to 1 over the first
  /// `anneal` iterations in `anneal_cycles` ramps of `anneal_power` (svgd_annealing). The
  /// repulsion alone first spreads the particles, so modes far from the start still receive
  /// their share; 0 turns it off (plain SVGD).
  TORCH_ARG(int64_t, anneal) = 0;
  TORCH_ARG(int64_t, anneal_cycles) = 1;
  TORCH_ARG(double, anneal_power) = 1.0;
  /// h > 0 fixes the bandwidth; 0 uses the median heuristic at every step.
  TORCH_ARG(double, bandwidth) = 0;
  /// Iterations after which the particles are recorded (0 = the initial particles).
  TORCH_ARG(std::vector<int64_t>, snapshots) = std::vector<int64_t>{};
  TORCH_ARG(int64_t, progress_every) = 50;
  /// Progress: loss = mean |φ|, metric = bandwidth.
  TORCH_ARG(ProgressFn, on_progress) = nullptr;
  /// Many processes: each rank moves its share of x0 (every rank passes all of x0), scores
  /// only those and gathers all particles and scores every iteration, since the kernel
  /// couples them all; the result holds all particles on every rank (docs/distributed.md).
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;
};

struct SvgdResult {
  at::Tensor particles;  ///< [n, d] after the last iteration
  std::vector<int64_t> snapshot_iterations;
  std::vector<at::Tensor> snapshots;
  std::vector<double> direction_norm;  ///< mean |φ(xᵢ)| per iteration
  std::vector<double> bandwidth;       ///< h per iteration
  std::vector<double> annealing;       ///< γ per iteration
  double seconds = 0;
};

/// Runs SVGD from the particles x0 [n, d] (n >= 2) towards p. Throws std::invalid_argument on
/// bad options or input, std::runtime_error if the particles become non-finite.
SvgdResult svgd(const LogDensity& log_p, const at::Tensor& x0, const SvgdOptions& options);

}  // namespace enflow::particles

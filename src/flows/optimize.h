// Internal: the per-step optimizer and the energy-law acceptance test shared by the EVNN solvers.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace enflow::flows {

/// How one minimizing-movement step is minimized.
struct OptimizerSettings {
  std::string kind = "lbfgs";  ///< "lbfgs" (strong Wolfe line search) or "adam"
  int64_t max_iter = 100;      ///< L-BFGS iterations or Adam steps
  double lr = 1.0;
  int64_t history_size = 30;
  double tolerance_grad = 1e-10, tolerance_change = 1e-14;
};

/// The optimizer fields of a solver's options (EulerianOptions, LagrangianOptions).
template <class SolverOptions>
OptimizerSettings optimizer_settings(const SolverOptions& o) {
  OptimizerSettings s;
  s.kind = o.optimizer();
  s.max_iter = o.max_iter();
  s.lr = o.lr();
  s.history_size = o.history_size();
  s.tolerance_grad = o.tolerance_grad();
  s.tolerance_change = o.tolerance_change();
  return s;
}

/// Throws std::invalid_argument unless kind is "lbfgs" or "adam" and max_iter >= 1.
void check_optimizer_options(const std::string& kind, int64_t max_iter);

/// Minimizes loss() over params.
void run_optimizer(const std::vector<torch::Tensor>& params,
                   const std::function<torch::Tensor()>& loss, const OptimizerSettings& settings);

/// The outcome of one minimizing-movement step.
struct Trial {
  bool accepted = false;
  double objective = 0, energy = 0;  ///< J and F_h after the optimizer
};

/// One minimizing-movement step from discrete energy f0 = J(staying put): minimizes loss() over
/// params, then evaluate() returns (J, F_h) at the result in the same arithmetic. The step is
/// accepted only if both are finite and neither exceeds f0 (the energy law; J ≥ F_h since the
/// dissipation is non-negative). A rejected step restores params to their values on entry.
Trial minimizing_movement(const std::vector<torch::Tensor>& params,
                          const std::function<torch::Tensor()>& loss,
                          const std::function<std::pair<double, double>()>& evaluate, double f0,
                          const OptimizerSettings& settings);

}  // namespace enflow::flows

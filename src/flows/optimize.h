// Internal: the energy-law acceptance test of a minimizing-movement step, shared by the EVNN
// solvers (the optimizer itself is nn::minimize).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <utility>
#include <vector>

#include "enflow/nn/optimizer.h"

namespace enflow::flows {

/// The L-BFGS evaluation budget the EVNN steps have always used (max_iter·5/4 + 1) unless
/// options.max_eval() sets one.
nn::OptimizerOptions with_step_budget(nn::OptimizerOptions options);

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
                          const nn::OptimizerOptions& settings);

}  // namespace enflow::flows

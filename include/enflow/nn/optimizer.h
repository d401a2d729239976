// The one optimizer selector of the library: the solvers that let a user choose how a loss is
// minimized (EVNN steps and fits, the committor) take an OptimizerKind and OptimizerOptions;
// the name is parsed once, at the config boundary (optimizer_kind_from_string).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace enflow::nn {

enum class OptimizerKind {
  kAdam,   ///< Adam, a fixed number of steps
  kLbfgs,  ///< L-BFGS with a strong Wolfe line search
};

/// "adam" | "lbfgs"; throws std::invalid_argument "unknown <key> 'x'; known: adam, lbfgs" (key:
/// the config key the name came from).
OptimizerKind optimizer_kind_from_string(const std::string& name,
                                         const std::string& key = "optimizer");
const char* to_string(OptimizerKind kind);

struct OptimizerOptions {
  TORCH_ARG(OptimizerKind, kind) = OptimizerKind::kLbfgs;
  /// Adam steps, or L-BFGS iterations of one step() call.
  TORCH_ARG(int64_t, max_iter) = 100;
  TORCH_ARG(double, lr) = 1.0;
  /// L-BFGS only: function evaluations per step() (0: LibTorch's max_iter·5/4), memory and
  /// stopping tolerances.
  TORCH_ARG(int64_t, max_eval) = 0;
  TORCH_ARG(int64_t, history_size) = 30;
  TORCH_ARG(double, tolerance_grad) = 1e-10;
  TORCH_ARG(double, tolerance_change) = 1e-14;

 public:  // TORCH_ARG leaves the section private
  /// Throws std::invalid_argument naming the first bad field, after `prefix` ("optimizer."
  /// for a config section gives "optimizer.max_iter must be >= 1").
  void check(const std::string& prefix = "optimizer ") const;
};

/// Minimizes loss() over params: max_iter Adam steps, or one L-BFGS run. The gradients are
/// zeroed before each evaluation and on return.
void minimize(const std::vector<at::Tensor>& params, const std::function<at::Tensor()>& loss,
              const OptimizerOptions& options);

}  // namespace enflow::nn

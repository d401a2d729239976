// The Deep Ritz method (E & Yu 2018) for -Laplace(u) = f on the unit cube (0,1)^d with
// u = g on the boundary: minimize E[1/2 |grad u|^2 - f u] + penalty * E_boundary[(u - g)^2]
// over a residual network, on fresh Monte Carlo samples every step, optionally raising the
// penalty during the run.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "enflow/nn/scalar_net.h"
#include "enflow/variational/common.h"

namespace enflow::variational {

struct PoissonProblem {
  std::string name;
  int64_t dim = 0;
  ScalarField f;      ///< right-hand side; empty means f = 0
  ScalarField g;      ///< boundary values
  ScalarField exact;  ///< optional exact solution
};

/// u = sum_k x_{2k-1} x_{2k} on (0,1)^dim (dim even), f = 0, g = u.
PoissonProblem product_sum_problem(int64_t dim);

struct DeepRitzOptions {
  TORCH_ARG(int64_t, width) = 20;
  TORCH_ARG(int64_t, blocks) = 3;  ///< residual blocks of two layers each
  TORCH_ARG(nn::ScalarActivation, activation) = nn::ScalarActivation::kRelu3;
  TORCH_ARG(int64_t, iterations) = 5000;
  TORCH_ARG(int64_t, batch_interior) = 1000;
  TORCH_ARG(int64_t, batch_boundary) = 1000;  ///< boundary points per step (all faces)
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(double, lr_final) = 1e-5;  ///< geometric decay to this
  TORCH_ARG(double, penalty) = 500.0;
  /// The penalty grows geometrically from `penalty` to `penalty_end` over the first
  /// `continuation` fraction of the run (a finite penalty solves a Robin problem, off by
  /// O(1/penalty) at the boundary); penalty_end <= 0 keeps it constant.
  TORCH_ARG(double, penalty_end) = 0.0;
  TORCH_ARG(double, continuation) = 0.5;
  TORCH_ARG(int64_t, eval_points) = 100000;  ///< Monte Carlo points for the final L2 error
  TORCH_ARG(int64_t, seed) = 0;
  TORCH_ARG(at::TensorOptions, tensor_options) = at::TensorOptions().dtype(at::kDouble);
  TORCH_ARG(int64_t, progress_every) = 100;
  TORCH_ARG(ProgressFn, on_progress) = nullptr;
};

struct DeepRitzResult {
  std::shared_ptr<torch::nn::Module> net;
  ScalarField u;  ///< [B, d] -> [B], no autograd graph
  std::vector<double> loss_history;
  double rel_l2_error =
      -1;  ///< ||u - exact|| / ||exact|| on eval_points uniform points (-1 without exact)
  int64_t iterations = 0;
  double seconds = 0;
};

DeepRitzResult solve_deep_ritz(const PoissonProblem& problem, const DeepRitzOptions& options);

}  // namespace enflow::variational

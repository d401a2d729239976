// Internal: the per-step optimizers shared by the EVNN solvers.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace enflow::flows {

/// Throws std::invalid_argument unless kind is "lbfgs" or "adam" and max_iter >= 1.
void check_optimizer_options(const std::string& kind, int64_t max_iter);

/// Minimizes loss() over params: "lbfgs" (strong Wolfe line search, max_iter iterations) or
/// "adam" (max_iter steps of learning rate lr).
void run_optimizer(const std::vector<torch::Tensor>& params,
                   const std::function<torch::Tensor()>& loss, const std::string& kind,
                   int64_t max_iter, double lr, int64_t history_size, double tolerance_grad,
                   double tolerance_change);

}  // namespace enflow::flows

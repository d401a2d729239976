// Internal: the LibTorch optimizer an OptimizerOptions names, for solvers that drive their own
// loop (fresh samples per step, learning-rate schedules).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "enflow/nn/optimizer.h"

namespace enflow::nn {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const OptimizerOptions& options);

/// Sets the learning rate of every parameter group (Adam or L-BFGS).
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace enflow::nn

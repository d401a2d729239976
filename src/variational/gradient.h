// Internal: the gradient of a scalar field on a batch, for samplers and path simulations.
#pragma once

#include <torch/torch.h>

#include "enflow/variational/common.h"

namespace enflow::variational::detail {

/// grad f(x) [B, d] for f: [B, d] -> [B], detached from any graph x carries; works under a
/// NoGradGuard too (samplers are called from evaluation code).
inline torch::Tensor gradient_of(const ScalarField& f, const torch::Tensor& x) {
  torch::AutoGradMode enable(true);
  auto xr = x.detach().requires_grad_(true);
  return torch::autograd::grad({f(xr).sum()}, {xr})[0];
}

}  // namespace enflow::variational::detail

#include "enflow/particles/common.h"

#include <torch/torch.h>

#include <stdexcept>

namespace enflow::particles {

at::Tensor score(const LogDensity& log_p, const at::Tensor& x) {
  if (x.dim() != 2) throw std::invalid_argument("score: expected points [N, d]");
  torch::AutoGradMode on(true);
  auto xr = x.detach().requires_grad_(true);
  auto lp = log_p(xr);
  if (lp.dim() != 1 || lp.size(0) != x.size(0))
    throw std::invalid_argument("score: the log-density must return one value per point");
  return torch::autograd::grad({lp.sum()}, {xr})[0].detach();
}

}  // namespace enflow::particles

#include "enflow/particles/mala.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace enflow::particles {

MalaResult mala(const LogDensity& log_p, const at::Tensor& x0, const MalaOptions& o) {
  if (x0.dim() != 2) throw std::invalid_argument("mala: initial states must be [chains, d]");
  if (!(o.step() > 0) || o.burn_in() < 0 || o.samples() < 1 || o.thin() < 1 ||
      !(o.target_acceptance() > 0 && o.target_acceptance() < 1))
    throw std::invalid_argument(
        "mala: needs step > 0, burn_in >= 0, samples >= 1, thin >= 1, 0 < target_acceptance < 1");
  auto value_and_score = [&](const torch::Tensor& x) {
    torch::AutoGradMode on(true);
    auto xr = x.detach().requires_grad_(true);
    auto lp = log_p(xr);
    auto g = torch::autograd::grad({lp.sum()}, {xr})[0];
    return std::make_pair(lp.detach(), g.detach());
  };
  torch::Tensor x = x0.detach().clone();
  auto [lx, gx] = value_and_score(x);
  if (!torch::isfinite(lx).all().item<bool>())
    throw std::runtime_error("mala: the log-density is not finite at the initial states");
  double eps = o.step(), accepted = 0;
  std::vector<torch::Tensor> kept;
  const int64_t total = o.burn_in() + o.samples() * o.thin();
  for (int64_t k = 1; k <= total; ++k) {
    auto y = x + eps * gx + std::sqrt(2 * eps) * torch::randn_like(x);
    auto [ly, gy] = value_and_score(y);
    // log q(x | y) − log q(y | x) for the Langevin proposal.
    auto fwd = (y - x - eps * gx).pow(2).sum(1), bwd = (x - y - eps * gy).pow(2).sum(1);
    auto log_ratio = ly - lx + (fwd - bwd) / (4 * eps);
    auto accept = (torch::log(torch::rand_like(log_ratio)) < log_ratio) & torch::isfinite(ly);
    auto a = accept.unsqueeze(1);
    x = torch::where(a, y, x);
    gx = torch::where(a, gy, gx);
    lx = torch::where(accept, ly, lx);
    const double rate = accept.to(torch::kDouble).mean().item<double>();
    if (k <= o.burn_in()) {
      eps *= std::exp(0.5 * (rate - o.target_acceptance()));  // Robbins–Monro on log ε
    } else {
      accepted += rate;
      if ((k - o.burn_in()) % o.thin() == 0) kept.push_back(x.clone());
    }
  }
  MalaResult r;
  r.samples = torch::cat(kept);
  r.acceptance = accepted / static_cast<double>(total - o.burn_in());
  r.step = eps;
  return r;
}

}  // namespace enflow::particles

#include "enflow/sampling/mala.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

namespace enflow::sampling {

namespace {

std::pair<torch::Tensor, torch::Tensor> value_and_score(const LogDensity& log_p,
                                                        const torch::Tensor& x) {
  torch::AutoGradMode on(true);  // samplers are called from evaluation code too
  auto xr = x.detach().requires_grad_(true);
  auto lp = log_p(xr);
  auto g = torch::autograd::grad({lp.sum()}, {xr})[0];
  return {lp.detach(), g.detach()};
}

}  // namespace

void check(const MalaOptions& o) {
  if (!(o.step() > 0)) throw std::invalid_argument("MALA step must be > 0");
  if (o.burn_in() < 0) throw std::invalid_argument("MALA burn_in must be >= 0");
  if (o.samples() < 1) throw std::invalid_argument("MALA samples must be >= 1");
  if (o.thin() < 1) throw std::invalid_argument("MALA thin must be >= 1");
  if (!(o.target_acceptance() > 0 && o.target_acceptance() < 1))
    throw std::invalid_argument("MALA target_acceptance must be in (0, 1)");
}

MalaChains::MalaChains(LogDensity log_p, const at::Tensor& x0, const MalaOptions& options,
                       Region region)
    : log_p_(std::move(log_p)),
      options_(options),
      region_(std::move(region)),
      step_(options.step()) {
  check(options_);
  if (!x0.defined() || x0.dim() != 2)
    throw std::invalid_argument("MALA: initial states must be [chains, d]");
  x_ = x0.detach().clone();
  std::tie(log_p_x_, score_x_) = value_and_score(log_p_, x_);
  if (!torch::isfinite(log_p_x_).all().item<bool>())
    throw std::runtime_error("MALA: the log-density is not finite at the initial states");
}

double MalaChains::advance(int64_t steps, bool adapt) {
  double accepted = 0;
  for (int64_t k = 0; k < steps; ++k) {
    const double eps = step_;
    auto y = x_ + eps * score_x_ + std::sqrt(2 * eps) * torch::randn_like(x_);
    auto [ly, gy] = value_and_score(log_p_, y);
    // log q(x | y) − log q(y | x) for the Langevin proposal.
    auto fwd = (y - x_ - eps * score_x_).pow(2).sum(1), bwd = (x_ - y - eps * gy).pow(2).sum(1);
    auto log_ratio = ly - log_p_x_ + (fwd - bwd) / (4 * eps);
    auto accept = (torch::log(torch::rand_like(log_ratio)) < log_ratio) & torch::isfinite(ly);
    if (region_) accept = accept & region_(y);
    auto a = accept.unsqueeze(1);
    x_ = torch::where(a, y, x_);
    score_x_ = torch::where(a, gy, score_x_);
    log_p_x_ = torch::where(accept, ly, log_p_x_);
    const double rate = accept.to(torch::kDouble).mean().item<double>();
    if (adapt) step_ *= std::exp(0.5 * (rate - options_.target_acceptance()));
    accepted += rate;
  }
  return steps > 0 ? accepted / static_cast<double>(steps) : 0.0;
}

MalaResult mala(const LogDensity& log_p, const at::Tensor& x0, const MalaOptions& o) {
  MalaChains chains(log_p, x0, o);
  chains.burn_in();
  std::vector<torch::Tensor> kept;
  double accepted = 0;
  for (int64_t s = 0; s < o.samples(); ++s) {
    accepted += chains.advance(o.thin(), /*adapt=*/false);
    kept.push_back(chains.states().clone());
  }
  MalaResult r;
  r.samples = torch::cat(kept);
  r.acceptance = accepted / static_cast<double>(o.samples());
  r.step = chains.step();
  return r;
}

}  // namespace enflow::sampling

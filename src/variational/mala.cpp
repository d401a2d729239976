#include "variational/mala.h"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "variational/gradient.h"

namespace enflow::variational::detail {

namespace {

/// Persistent MALA chains on exp(-sample_beta V); each call advances `thin` steps.
struct MalaState {
  ScalarField potential;
  MalaOptions opt;
  torch::Tensor x;  // [C, d]
  double step;
  std::function<torch::Tensor(int64_t)> init;
  std::function<torch::Tensor(const torch::Tensor&)> region;
  double acceptance = 0;

  void advance(int64_t steps, bool adapt) {
    const double sb = opt.sample_beta();
    auto U = [&](const torch::Tensor& y) { return sb * potential(y); };
    auto ux = U(x).detach();
    auto gx = gradient_of(U, x);
    for (int64_t k = 0; k < steps; ++k) {
      auto y = (x - step * gx + std::sqrt(2 * step) * torch::randn_like(x)).detach();
      auto uy = U(y).detach();
      auto gy = gradient_of(U, y);
      auto fwd = (y - x + step * gx).pow(2).sum(1) / (4 * step);
      auto bwd = (x - y + step * gy).pow(2).sum(1) / (4 * step);
      auto log_acc = -uy + ux - bwd + fwd;
      auto accept = torch::log(torch::rand_like(log_acc)) < log_acc;
      accept = accept & torch::isfinite(uy);
      if (region) accept = accept & region(y);
      auto a = accept.unsqueeze(1);
      x = torch::where(a, y, x);
      ux = torch::where(accept, uy, ux);
      gx = torch::where(a, gy, gx);
      acceptance = accept.to(torch::kDouble).mean().item<double>();
      if (adapt) step *= std::exp(0.5 * (acceptance - opt.target_acceptance()));
    }
  }
};

}  // namespace

Sampler mala_sampler(const ScalarField& potential, double beta, const MalaOptions& mala,
                     std::function<torch::Tensor(int64_t)> init,
                     std::function<torch::Tensor(const torch::Tensor&)> region) {
  if (!(mala.sample_beta() > 0) || !(mala.step() > 0) || mala.thin() < 1 || mala.burn_in() < 0)
    throw std::invalid_argument("MALA needs sample_beta > 0, step > 0, thin >= 1, burn_in >= 0");
  auto st = std::make_shared<MalaState>();
  st->potential = potential;
  st->opt = mala;
  st->step = mala.step();
  st->init = std::move(init);
  st->region = std::move(region);
  return [st, beta](int64_t n) {
    if (!st->x.defined() || st->x.size(0) != n) {
      st->x = st->init(n);
      st->advance(st->opt.burn_in(), true);
    }
    st->advance(st->opt.thin(), false);
    auto x = st->x.clone();
    auto log_w = -(beta - st->opt.sample_beta()) * st->potential(x).detach();
    return WeightedSamples{x, log_w};
  };
}

}  // namespace enflow::variational::detail

#include "enflow/flows/lagrangian.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "flows/optimize.h"

namespace enflow::flows {

LagrangianSolver::LagrangianSolver(FlowMap map, LagrangianEnergy energy, at::Tensor x,
                                   at::Tensor masses, at::Tensor log_rho, LagrangianOptions options)
    : map_(std::move(map)),
      energy_(std::move(energy)),
      x_(x.detach().clone()),
      m_(masses.detach().clone()),
      log_rho_(log_rho.detach().clone()),
      options_(std::move(options)) {
  if (!map_) throw std::invalid_argument("LagrangianSolver: no flow map");
  if (!energy_.internal) throw std::invalid_argument("LagrangianSolver: no internal energy");
  if (x_.dim() != 2) throw std::invalid_argument("LagrangianSolver: positions must be [N, d]");
  const int64_t n = x_.size(0);
  if (m_.dim() != 1 || m_.size(0) != n || log_rho_.dim() != 1 || log_rho_.size(0) != n)
    throw std::invalid_argument("LagrangianSolver: masses and log densities must be [N]");
  if (!(m_.min().item<double>() > 0))
    throw std::invalid_argument("LagrangianSolver: masses must be positive");
  if (!torch::isfinite(log_rho_).all().item<bool>())
    throw std::invalid_argument("LagrangianSolver: log densities must be finite");
  if (!(options_.tau() > 0) || !std::isfinite(options_.tau()))
    throw std::invalid_argument("LagrangianSolver: tau must be positive");
  check_optimizer_options(options_.optimizer(), options_.max_iter());
  for (const auto& p : map_->parameters()) identity_.push_back(p.detach().clone());
}

at::Tensor LagrangianSolver::energy_of(const at::Tensor& x, const at::Tensor& log_rho) {
  auto e = energy_.internal(torch::exp(log_rho), log_rho);
  if (energy_.potential) e = e + energy_.potential(x);
  return (m_ * e).sum();
}

double LagrangianSolver::energy() { return energy_of(x_, log_rho_).item<double>(); }

double LagrangianSolver::total_mass() const { return m_.sum().item<double>(); }

bool LagrangianSolver::attempt(double f0, StepReport* r) {
  const double tau = options_.tau();
  auto objective = [&](torch::Tensor* y_out, torch::Tensor* lr_out, torch::Tensor* f_out) {
    auto yl = map_and_logdet(*map_, x_);
    auto lr = log_rho_ - yl.second;
    auto f = energy_of(yl.first, lr);
    auto j = (m_ * (yl.first - x_).pow(2).sum(1)).sum() / (2 * tau) + f;
    if (y_out) *y_out = yl.first.detach();
    if (lr_out) *lr_out = lr.detach();
    if (f_out) *f_out = f.detach();
    return j;
  };
  run_optimizer(
      map_->parameters(), [&] { return objective(nullptr, nullptr, nullptr); },
      options_.optimizer(), options_.max_iter(), options_.lr(), options_.history_size(),
      options_.tolerance_grad(), options_.tolerance_change());
  torch::Tensor y, lr, f;
  const double j1 = objective(&y, &lr, &f).item<double>();
  const double f1 = f.item<double>();
  const bool ok = std::isfinite(j1) && std::isfinite(f1) && j1 <= f0 && f1 <= f0 &&
                  torch::isfinite(lr).all().item<bool>();
  if (ok) {
    x_ = y;
    log_rho_ = lr;
    r->energy_after = f1;
    r->objective = j1;
  }
  return ok;
}

StepReport LagrangianSolver::step() {
  const auto start = std::chrono::steady_clock::now();
  StepReport r;
  r.step = n_ + 1;
  auto params = map_->parameters();
  auto reset = [&] {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(identity_[i]);
  };
  r.energy_before = energy();
  if (!options_.warm_start()) reset();
  r.accepted = attempt(r.energy_before, &r);
  if (!r.accepted && options_.warm_start()) {
    reset();
    r.accepted = attempt(r.energy_before, &r);
  }
  if (!r.accepted) {
    reset();
    r.energy_after = r.energy_before;
    r.objective = r.energy_before;
  }
  t_ += options_.tau();
  ++n_;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

double particle_relative_l2(const at::Tensor& masses, const at::Tensor& log_rho,
                            const at::Tensor& exact_rho) {
  auto rho = torch::exp(log_rho);
  const double num = (masses * (rho - exact_rho).pow(2) / rho).sum().item<double>();
  const double den = (masses * exact_rho.pow(2) / rho).sum().item<double>();
  return std::sqrt(num / std::max(den, 1e-300));
}

double particle_symmetric_kl(const at::Tensor& masses, const at::Tensor& log_rho,
                             const at::Tensor& exact_log_rho) {
  auto w = masses / masses.sum();
  auto diff = log_rho - exact_log_rho;
  auto kl1 = (w * diff).sum();
  auto kl2 = (w * torch::exp(-diff) * (-diff)).sum();
  return (kl1 + kl2).item<double>();
}

}  // namespace enflow::flows

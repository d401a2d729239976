#include "enflow/flows/lagrangian.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/sample_shard.h"
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
  if (!(options_.jacobian_penalty() >= 0))
    throw std::invalid_argument("LagrangianSolver: jacobian_penalty must be >= 0");
  options_.optimizer().check();
  if (options_.group() && options_.jacobian_penalty() > 0)
    throw std::invalid_argument(
        "map.jacobian_penalty couples all particles through their mean Jacobian: it runs on "
        "one process only");
  // Every rank starts from rank 0's map (the same seed gives the same one; this makes sure).
  distributed::broadcast_from_rank0(map_->parameters(), options_.group().get());
  for (const auto& p : map_->parameters()) identity_.push_back(p.detach().clone());
}

at::Tensor LagrangianSolver::energy_of(const at::Tensor& x, const at::Tensor& log_rho) {
  auto e = energy_.internal(torch::exp(log_rho), log_rho);
  if (energy_.potential) e = e + energy_.potential(x);
  return (m_ * e).sum();
}

double LagrangianSolver::energy() {
  return distributed::sum_over_ranks(energy_of(x_, log_rho_).item<double>(),
                                     options_.group().get());
}

double LagrangianSolver::total_mass() const {
  return distributed::sum_over_ranks(m_.sum().item<double>(), options_.group().get());
}

bool LagrangianSolver::attempt(double f0, StepReport* r) {
  const double tau = options_.tau();
  torch::Tensor y, lr;
  const double lambda = options_.jacobian_penalty();
  auto objective = [&](bool keep) {
    torch::Tensor phi;
    auto J = map_->jacobian(x_, &phi);
    auto lr_new = log_rho_ - jacobian_logdet(J);
    auto f = energy_of(phi, lr_new);
    auto j = (m_ * (phi - x_).pow(2).sum(1)).sum() / (2 * tau) + f;
    if (lambda > 0) {
      auto w = (m_ / m_.sum()).view({-1, 1, 1});
      auto dev = J - (w * J).sum(0);
      j = j + lambda / (2 * tau) * (m_ * dev.pow(2).sum({1, 2})).sum();
    }
    if (keep) {
      y = phi.detach();
      lr = lr_new.detach();
    }
    return std::make_pair(j, f);
  };
  auto evaluate = [&] {
    auto jf = objective(true);
    // A folded map (det ∇Φ ≤ 0 somewhere) has no density: count it as an infinite energy.
    const bool finite = torch::isfinite(lr).all().item<bool>();
    // Sums over the ranks' particles; a NaN (a fold on any rank) stays a NaN.
    const auto sums = distributed::sum_over_ranks(
        {jf.first.item<double>(), finite ? jf.second.item<double>() : std::nan("")},
        options_.group().get());
    return std::make_pair(sums[0], sums[1]);
  };
  const auto params = map_->parameters();
  const auto trial =
      minimizing_movement(params,
                          distributed::summed_over_ranks([&] { return objective(false).first; },
                                                         params, options_.group().get()),
                          evaluate, f0, options_.optimizer());
  if (trial.accepted) {
    x_ = y;
    log_rho_ = lr;
    transport_tracers();
    r->energy_after = trial.energy;
    r->objective = trial.objective;
  }
  return trial.accepted;
}

void LagrangianSolver::set_tracers(const at::Tensor& x, const at::Tensor& log_rho) {
  if (x.dim() != 2 || x.size(1) != x_.size(1) || log_rho.dim() != 1 || log_rho.size(0) != x.size(0))
    throw std::invalid_argument("LagrangianSolver: tracers must be [M, d] with log densities [M]");
  tracer_x_ = x.detach().clone();
  tracer_log_rho_ = log_rho.detach().clone();
}

void LagrangianSolver::transport_tracers() {
  if (!tracer_x_.defined()) return;
  // In chunks, without a parameter graph: the tracers only follow the accepted map.
  const int64_t chunk = 4096;
  std::vector<torch::Tensor> xs, lrs;
  for (int64_t i = 0; i < tracer_x_.size(0); i += chunk) {
    const int64_t n = std::min(chunk, tracer_x_.size(0) - i);
    auto yl = map_and_logdet(*map_, tracer_x_.narrow(0, i, n));
    xs.push_back(yl.first.detach());
    lrs.push_back((tracer_log_rho_.narrow(0, i, n) - yl.second).detach());
  }
  tracer_x_ = torch::cat(xs);
  tracer_log_rho_ = torch::cat(lrs);
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
                            const at::Tensor& exact_rho, distributed::Group* group) {
  auto rho = torch::exp(log_rho);
  double num = (masses * (rho - exact_rho).pow(2) / rho).sum().item<double>();
  double den = (masses * exact_rho.pow(2) / rho).sum().item<double>();
  if (group) {
    const auto sums = distributed::sum_over_ranks({num, den}, group);
    num = sums[0];
    den = sums[1];
  }
  return std::sqrt(num / std::max(den, 1e-300));
}

namespace {

torch::Tensor symmetric_kl_terms(const at::Tensor& log_rho, const at::Tensor& exact_log_rho) {
  auto diff = log_rho - exact_log_rho;
  return diff - torch::exp(-diff) * diff;
}

}  // namespace

double particle_symmetric_kl(const at::Tensor& masses, const at::Tensor& log_rho,
                             const at::Tensor& exact_log_rho, distributed::Group* group) {
  if (!group)
    return (masses / masses.sum() * symmetric_kl_terms(log_rho, exact_log_rho))
        .sum()
        .item<double>();
  const auto sums = distributed::sum_over_ranks(
      {(masses * symmetric_kl_terms(log_rho, exact_log_rho)).sum().item<double>(),
       masses.sum().item<double>()},
      group);
  return sums[0] / sums[1];
}

double sample_symmetric_kl_std_error(const at::Tensor& log_rho, const at::Tensor& exact_log_rho,
                                     distributed::Group* group) {
  const auto t = symmetric_kl_terms(log_rho, exact_log_rho);
  if (!group) {
    if (t.numel() < 2) return std::nan("");
    return t.std().item<double>() / std::sqrt(static_cast<double>(t.numel()));
  }
  const auto s =
      distributed::sum_over_ranks({static_cast<double>(t.numel()), t.sum().item<double>()}, group);
  const double n = s[0], mean = s[1] / n;
  if (n < 2) return std::nan("");
  const double ss = distributed::sum_over_ranks((t - mean).pow(2).sum().item<double>(), group);
  return std::sqrt(ss / (n - 1)) / std::sqrt(n);
}

}  // namespace enflow::flows

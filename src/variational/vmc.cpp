#include "enflow/variational/vmc.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"

namespace enflow::variational {

namespace {
constexpr double kPi = 3.14159265358979323846;

/// log cosh, stable for large arguments.
torch::Tensor log_cosh(const torch::Tensor& x) {
  auto ax = x.abs();
  return ax + torch::log1p(torch::exp(-2 * ax)) - std::log(2.0);
}
}  // namespace

double tfim_exact_energy(int64_t n, double j, double h) {
  if (n < 2) throw std::invalid_argument("TFIM exact energy: need n >= 2 sites");
  double e = 0;
  for (int64_t m = 0; m < n; ++m) {
    const double k = (2.0 * double(m) + 1.0) * kPi / double(n);
    e -= std::sqrt(std::max(0.0, j * j + h * h - 2 * j * h * std::cos(k)));
  }
  return e;
}

at::Tensor Rbm::log_psi(const at::Tensor& s) const {
  return torch::matmul(s, a) + log_cosh(torch::matmul(s, w.t()) + b).sum(1);
}

at::Tensor Rbm::local_energy(const at::Tensor& s, double j, double h) const {
  auto diag = -j * (s * torch::roll(s, {-1}, {1})).sum(1);
  auto theta = torch::matmul(s, w.t()) + b;                                     // [B, M]
  auto flipped = theta.unsqueeze(1) - 2 * s.unsqueeze(2) * w.t().unsqueeze(0);  // [B, N, M]
  auto log_ratio =
      -2 * a * s + (log_cosh(flipped) - log_cosh(theta).unsqueeze(1)).sum(2);  // [B, N]
  return diag - h * torch::exp(log_ratio).sum(1);
}

VmcResult solve_vmc_tfim(int64_t n, double j, double h, const VmcOptions& o) {
  if (n < 2) throw std::invalid_argument("VMC: the chain needs at least 2 sites");
  if (o.hidden_density() < 1 || o.samples() < 2 || o.sweeps() < 1 || o.thermalization() < 0 ||
      o.iterations() < 0 || !(o.lr() > 0) || !(o.lr_final() > 0) || !(o.diag_shift() > 0) ||
      !(o.diag_shift_final() > 0) || o.final_samples() < 2)
    throw std::invalid_argument(
        "VMC options: need hidden_density >= 1, samples >= 2, sweeps >= 1, positive lr, "
        "diag_shift and their finals, final_samples >= 2");
  torch::manual_seed(o.seed());
  const auto topt = o.tensor_options();
  // B chains in all; this process runs its share Bl of them (all of them in one process).
  auto* g = o.group().get();
  const int64_t m = o.hidden_density() * n, B = o.samples();
  const int64_t Bl = distributed::share_of(B, g, "VMC chains (sampler.samples)").count;
  Rbm rbm{torch::randn({n}, topt) * o.init_std(), torch::randn({m}, topt) * o.init_std(),
          torch::randn({m, n}, topt) * o.init_std()};
  distributed::broadcast_from_rank0({rbm.a, rbm.b, rbm.w}, g);
  // Rank 0 goes on with the one-process stream, every other rank draws from its own.
  if (distributed::rank_of(g) > 0)
    torch::manual_seed(distributed::rank_seed(static_cast<uint64_t>(o.seed()), g));
  auto s = torch::randint(0, 2, {Bl, n}, topt) * 2 - 1;
  auto theta = torch::matmul(s, rbm.w.t()) + rbm.b;
  int64_t accepted = 0, proposed = 0;
  auto long_opt = topt.dtype(torch::kLong);
  auto sweep = [&](int64_t sweeps) {
    torch::NoGradGuard ng;
    theta = torch::matmul(s, rbm.w.t()) + rbm.b;
    auto wt = rbm.w.t();  // [N, M]
    for (int64_t k = 0; k < sweeps * n; ++k) {
      auto idx = torch::randint(0, n, {Bl}, long_opt);
      auto si = s.gather(1, idx.unsqueeze(1));  // [B, 1]
      auto new_theta = theta - 2 * si * wt.index_select(0, idx);
      auto log_ratio = -2 * rbm.a.index_select(0, idx) * si.squeeze(1) +
                       (log_cosh(new_theta) - log_cosh(theta)).sum(1);
      auto acc = torch::log(torch::rand({Bl}, topt)) < 2 * log_ratio;
      s = torch::where(acc.unsqueeze(1), s.scatter(1, idx.unsqueeze(1), -si), s);
      theta = torch::where(acc.unsqueeze(1), new_theta, theta);
      accepted += acc.sum().item<int64_t>();
      proposed += Bl;
    }
  };

  VmcResult res;
  const auto t0 = std::chrono::steady_clock::now();
  sweep(o.thermalization());
  const int64_t iters = o.iterations();
  for (int64_t k = 0; k < iters; ++k) {
    const double frac = iters > 1 ? double(k) / double(iters - 1) : 1.0;
    const double lr = o.lr() * std::pow(o.lr_final() / o.lr(), frac);
    const double shift = o.diag_shift() * std::pow(o.diag_shift_final() / o.diag_shift(), frac);
    sweep(o.sweeps());
    torch::NoGradGuard ng;
    auto el = rbm.local_energy(s, j, h);
    auto th = torch::tanh(theta);
    auto O = torch::cat({s, th, (th.unsqueeze(2) * s.unsqueeze(1)).reshape({Bl, m * n})}, 1);
    // Means, then centred second moments, over all B chains: each a sum over ranks.
    double emean = 0, eerr = 0;
    torch::Tensor Omean;
    if (g) {
      auto sums = torch::cat({el.sum().reshape({1}), O.sum(0)});
      distributed::sum_over_ranks({sums}, g);
      emean = sums[0].item<double>() / double(B);
      Omean = sums.narrow(0, 1, O.size(1)).unsqueeze(0) / double(B);
    } else {
      emean = el.mean().item<double>();
      eerr = (el.std().item<double>()) / std::sqrt(double(B));
      Omean = O.mean(0, true);
    }
    auto Oc = O - Omean;
    auto S = torch::matmul(Oc.t(), Oc);
    auto F = torch::matmul(Oc.t(), (el - emean).unsqueeze(1));
    if (g) {
      auto var = (el - emean).pow(2).sum().reshape({1});
      distributed::sum_over_ranks({S, F, var}, g);
      eerr = std::sqrt(var.item<double>() / double(B - 1)) / std::sqrt(double(B));
    }
    S = S / double(B);
    F = F / double(B);
    S = S + shift * torch::eye(S.size(0), topt);
    auto delta = torch::linalg_solve(S, F).squeeze(1);
    // Every rank solved the same system; rank 0's solution keeps them bit-identical anyway.
    distributed::broadcast_from_rank0({delta}, g);
    if (!torch::isfinite(delta).all().item<bool>())
      throw std::runtime_error(
          "VMC: stochastic reconfiguration produced a non-finite update at "
          "step " +
          std::to_string(k) + " (raise diag_shift or samples)");
    rbm.a = rbm.a - lr * delta.narrow(0, 0, n);
    rbm.b = rbm.b - lr * delta.narrow(0, n, m);
    rbm.w = rbm.w - lr * delta.narrow(0, n + m, m * n).reshape({m, n});
    res.energy_history.push_back(emean);
    res.error_history.push_back(eerr);
    if (o.on_progress() &&
        ((k + 1) % std::max<int64_t>(1, o.progress_every()) == 0 || k + 1 == iters))
      o.on_progress()({k + 1, iters, emean, eerr});
  }
  // Final estimate: fresh sweeps between rounds of B samples.
  sweep(o.thermalization());
  std::vector<torch::Tensor> els;
  int64_t collected = 0;
  while (collected < o.final_samples()) {
    sweep(2 * o.sweeps());
    torch::NoGradGuard ng;
    els.push_back(rbm.local_energy(s, j, h));
    collected += B;
  }
  auto all = torch::cat(els);
  if (g) {
    // `collected` counts every rank's chains: the mean and variance of all of them.
    const double N = double(collected);
    res.energy = distributed::sum_over_ranks(all.sum().item<double>(), g) / N;
    res.variance =
        distributed::sum_over_ranks((all - res.energy).pow(2).sum().item<double>(), g) / (N - 1);
    res.energy_error = std::sqrt(res.variance / N);
    const auto counts = distributed::sum_over_ranks({double(accepted), double(proposed)}, g);
    accepted = static_cast<int64_t>(counts[0]);
    proposed = static_cast<int64_t>(counts[1]);
  } else {
    res.energy = all.mean().item<double>();
    res.variance = all.var().item<double>();
    res.energy_error = std::sqrt(res.variance / double(all.numel()));
  }
  res.acceptance = proposed ? double(accepted) / double(proposed) : 0;
  res.rbm = rbm;
  res.iterations = iters;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace enflow::variational

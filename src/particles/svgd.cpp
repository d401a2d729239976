#include "enflow/particles/svgd.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/sample_shard.h"

namespace enflow::particles {

SvgdStepRule svgd_step_rule_from_string(const std::string& name, const std::string& key) {
  if (name == "adagrad") return SvgdStepRule::kAdagrad;
  if (name == "plain") return SvgdStepRule::kPlain;
  throw std::invalid_argument("unknown " + key + " '" + name + "' (known: adagrad, plain)");
}

const char* to_string(SvgdStepRule rule) {
  return rule == SvgdStepRule::kAdagrad ? "adagrad" : "plain";
}

double median_bandwidth(const at::Tensor& x) {
  const int64_t n = x.size(0);
  if (x.dim() != 2 || n < 2) throw std::invalid_argument("median bandwidth: needs [n >= 2, d]");
  auto d2 = torch::cdist(x, x).pow(2);
  auto iu = torch::triu_indices(n, n, 1, torch::TensorOptions().dtype(torch::kLong));
  auto pairs = d2.index({iu[0], iu[1]});
  // The lower median of the distinct pairs, as numpy's median up to its averaging.
  const double med = std::get<0>(pairs.sort()).select(0, (pairs.size(0) - 1) / 2).item<double>();
  return med / std::log(static_cast<double>(n) + 1);
}

double svgd_annealing(int64_t it, int64_t anneal, int64_t cycles, double power) {
  if (anneal < 0 || cycles < 1 || !(power > 0))
    throw std::invalid_argument("svgd annealing: needs anneal >= 0, cycles >= 1, power > 0");
  if (it >= anneal) return 1.0;
  const double length = double(anneal) / double(cycles);
  const double pos = std::fmod(double(it), length);
  return std::pow(pos / length, power);
}

at::Tensor svgd_direction(const at::Tensor& x, const at::Tensor& score, double h, double gamma) {
  return svgd_direction_at(x, x, score, h, gamma);
}

at::Tensor svgd_direction_at(const at::Tensor& rows, const at::Tensor& x, const at::Tensor& score,
                             double h, double gamma) {
  if (x.dim() != 2 || !x.sizes().equals(score.sizes()) || rows.dim() != 2 ||
      rows.size(1) != x.size(1))
    throw std::invalid_argument("svgd direction: particles and scores must both be [n, d]");
  if (!(h > 0)) throw std::invalid_argument("svgd direction: bandwidth must be positive");
  auto diff2 = (rows.unsqueeze(1) - x.unsqueeze(0)).pow(2).sum(2);  // [m, n], exact zeros at i = j
  auto K = torch::exp(-diff2 / h);
  // Σⱼ ∇_{xⱼ} k(xⱼ, xᵢ) = (2/h) (xᵢ Σⱼ Kᵢⱼ − Σⱼ Kᵢⱼ xⱼ): the repulsion that keeps particles apart.
  auto repulsion = (2.0 / h) * (rows * K.sum(1, true) - torch::matmul(K, x));
  return (gamma * torch::matmul(K, score) + repulsion) / static_cast<double>(x.size(0));
}

SvgdResult svgd(const LogDensity& log_p, const at::Tensor& x0, const SvgdOptions& o) {
  if (x0.dim() != 2 || x0.size(0) < 2)
    throw std::invalid_argument("svgd: initial particles must be [n >= 2, d]");
  if (!torch::isfinite(x0).all().item<bool>())
    throw std::invalid_argument("svgd: initial particles are not finite");
  if (o.iterations() < 0 || !(o.step() > 0) || !(o.bandwidth() >= 0) || !(o.fudge() > 0) ||
      !(o.momentum() >= 0 && o.momentum() < 1))
    throw std::invalid_argument(
        "svgd: needs iterations >= 0, step > 0, bandwidth >= 0, fudge > 0, 0 <= momentum < 1");
  svgd_annealing(0, o.anneal(), o.anneal_cycles(), o.anneal_power());  // checks the schedule
  const bool adagrad = o.optimizer() == SvgdStepRule::kAdagrad;
  const auto start = std::chrono::steady_clock::now();
  SvgdResult r;
  auto record = [&](int64_t it, const torch::Tensor& x) {
    if (std::find(o.snapshots().begin(), o.snapshots().end(), it) == o.snapshots().end()) return;
    r.snapshot_iterations.push_back(it);
    r.snapshots.push_back(x.clone());
  };
  // Many processes: x is this rank's share; `all` every rank's particles, gathered.
  auto* g = o.group().get();
  torch::Tensor x = distributed::rows_of_share(x0.detach().clone(), g), history;
  auto all = [&] { return distributed::gather_rows(x, g); };
  record(0, all());
  for (int64_t it = 1; it <= o.iterations(); ++it) {
    const auto xs = all();
    const double h = o.bandwidth() > 0 ? o.bandwidth() : median_bandwidth(xs);
    const double gamma = svgd_annealing(it, o.anneal(), o.anneal_cycles(), o.anneal_power());
    auto phi = g ? svgd_direction_at(x, xs, distributed::gather_rows(score(log_p, x), g), h, gamma)
                 : svgd_direction(x, score(log_p, x), h, gamma);
    if (adagrad) {
      history = it == 1 ? phi.pow(2) : o.momentum() * history + (1 - o.momentum()) * phi.pow(2);
      x = x + o.step() * phi / (o.fudge() + history.sqrt());
    } else {
      x = x + o.step() * phi;
    }
    double norm = 0;
    if (g) {  // the mean over all particles; a non-finite particle anywhere makes it a NaN
      const auto s =
          distributed::sum_over_ranks({phi.norm(2, 1).sum().item<double>(),
                                       torch::isfinite(x).all().item<bool>() ? 0.0 : std::nan("")},
                                      g);
      norm = s[0] / static_cast<double>(x0.size(0)) + s[1];
    } else {
      norm = phi.norm(2, 1).mean().item<double>();
    }
    if (!std::isfinite(norm) || !torch::isfinite(x).all().item<bool>())
      throw std::runtime_error("svgd: particles became non-finite at iteration " +
                               std::to_string(it) + " (reduce the step)");
    r.direction_norm.push_back(norm);
    r.bandwidth.push_back(h);
    r.annealing.push_back(gamma);
    // (Gathered only when recorded.)
    if (!g || std::find(o.snapshots().begin(), o.snapshots().end(), it) != o.snapshots().end())
      record(it, all());
    if (o.on_progress() &&
        (it % std::max<int64_t>(1, o.progress_every()) == 0 || it == o.iterations()))
      o.on_progress()({it, o.iterations(), norm, h});
  }
  r.particles = all();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace enflow::particles

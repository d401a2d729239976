// EVNN Lagrangian problems from a config: Fokker–Planck with a quadratic potential (isotropic,
// or the random Ornstein–Uhlenbeck targets of Mokrov et al. 2021) and the porous medium
// equation against Barenblatt. Errors are measured twice: on the particles the maps were fitted
// to, and on independent tracers carried by the same maps (the unbiased estimate).
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <utility>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"
#include "enflow/flows/lagrangian.h"
#include "enflow/flows/networks.h"
#include "enflow/flows/quadrature.h"
#include "enflow/io/config.h"
#include "flows/evnn_run.h"
#include "flows/gaussian_ou.h"

namespace enflow::flows {
namespace {

/// Points in the box [lo, hi]^d with equal cell volumes: a midpoint grid (n per dimension) or
/// n QMC/MC samples. Returns points and the volume each represents.
std::pair<torch::Tensor, double> box_points(const std::string& init, int64_t n, int64_t d,
                                            const torch::Tensor& lo, const torch::Tensor& hi,
                                            uint64_t seed, const torch::TensorOptions& o) {
  const double vol = (hi - lo).prod().item<double>();
  if (init == "grid") {
    require(d <= 3, "particles.init = grid needs dim <= 3 (use halton)");
    auto u = (torch::arange(n, o) + 0.5) / n;
    std::vector<torch::Tensor> axes(d, u);
    auto g = torch::meshgrid(axes, "ij");
    std::vector<torch::Tensor> cols;
    for (auto& t : g) cols.push_back(t.reshape({-1}));
    auto x = lo + torch::stack(cols, 1) * (hi - lo);
    return {x, vol / static_cast<double>(x.size(0))};
  }
  auto x = lo + unit_cube_samples(n, d, init, seed, o) * (hi - lo);
  return {x, vol / static_cast<double>(n)};
}

/// A Lagrangian problem: initial particles, the energy, and the exact log density at time t.
struct LagrangianSetup {
  torch::Tensor x, m, log_rho;
  LagrangianEnergy energy;
  std::function<torch::Tensor(const torch::Tensor&, double)> exact_log_rho;
  std::function<torch::Tensor(int64_t n, uint64_t seed)> sample_initial;  ///< tracers
  double t0 = 0;                   ///< the problem's time at the first step
  std::shared_ptr<GaussianOU> ou;  ///< Fokker–Planck: the exact Gaussian solution

  /// Keeps this rank's share of a particle set made whole (grid, Halton).
  void keep_share(distributed::Group* g) {
    x = distributed::rows_of_share(x, g);
    m = distributed::rows_of_share(m, g);
    log_rho = distributed::rows_of_share(log_rho, g);
  }
};

LagrangianSetup fokker_planck(const io::Config& c, const RunSettings& k, int64_t d,
                              const std::string& init, distributed::Group* g) {
  LagrangianSetup s;
  const auto& o = k.opts;
  const std::string target = c.get_string("problem.target", "isotropic");
  if (target == "isotropic") {
    const double s0 = c.get_double("problem.sigma0", 0.5);
    require(s0 > 0, "problem.sigma0 must be positive");
    s.ou = std::make_shared<GaussianOU>(isotropic_ou(d, c.get_double("problem.mean0", 1.0), s0, o));
  } else if (target == "random_spd") {
    require(!c.has("problem.mean0") && !c.has("problem.sigma0"),
            "problem.target = random_spd starts from N(0, I): problem.mean0 and problem.sigma0 "
            "do not apply");
    const int64_t ts = c.get_int("problem.target_seed", static_cast<int64_t>(k.seed));
    require(ts >= 0, "problem.target_seed must be >= 0");
    s.ou = std::make_shared<GaussianOU>(random_spd_ou(d, static_cast<uint64_t>(ts), o));
  } else {
    throw std::invalid_argument("problem.target must be isotropic or random_spd, got '" + target +
                                "'");
  }
  auto ou = s.ou;
  s.exact_log_rho = [ou](const torch::Tensor& y, double t) { return ou->log_density(y, t); };
  auto chol0 = torch::linalg_cholesky(ou->cov0);
  s.sample_initial = [ou, chol0, d, o](int64_t n, uint64_t seed) {
    return ou->mean0 + torch::matmul(normal_samples(n, d, "mc", seed, o), chol0.t());
  };
  if (init == "grid") {
    const int64_t n = c.get_int("particles.n", d == 1 ? 400 : 40);
    require(n >= 2, "particles.n must be >= 2");
    // ±5 standard deviations around the initial mean.
    const double half = 5 * std::sqrt(ou->cov0.diagonal().max().item<double>());
    auto xb = box_points(init, n, d, ou->mean0 - half, ou->mean0 + half, k.seed, o);
    s.x = xb.first;
    s.log_rho = s.exact_log_rho(s.x, 0);
    s.m = torch::exp(s.log_rho) * xb.second;
    s.keep_share(g);
  } else {
    const int64_t n = c.get_int("particles.n", 2000);
    require(n >= 2, "particles.n must be >= 2");
    // Random particles: each rank draws its share from its own stream; Halton: its share of
    // the one sequence.
    auto z = init == "mc" ? normal_samples(distributed::share_of(n, g, "particles.n").count, d,
                                           init, distributed::rank_seed(k.seed, g), o)
                          : distributed::rows_of_share(normal_samples(n, d, init, k.seed, o), g);
    if (c.get_bool("particles.match_moments", false)) {
      require(!g, "particles.match_moments whitens the whole point set: one process only");
      // Shift and whiten the point set so that its mean and covariance (masses 1/n) are
      // exactly those of N(0, I): the particles then integrate every quadratic exactly
      // against the initial density, as a Gauss rule would.
      require(n > d, "particles.match_moments needs particles.n > problem.dim");
      z = z - z.mean(0);
      auto L = torch::linalg_cholesky(torch::matmul(z.t(), z) / static_cast<double>(n));
      z = torch::linalg_solve_triangular(L, z.t(), /*upper=*/false).t();
    }
    s.x = ou->mean0 + torch::matmul(z, chol0.t());
    s.log_rho = s.exact_log_rho(s.x, 0);
    s.m = torch::full({z.size(0)}, 1.0 / n, o);
  }
  s.energy.internal = [](const torch::Tensor&, const torch::Tensor& lr) { return lr; };
  s.energy.potential = [ou](const torch::Tensor& y) { return ou->potential(y); };
  return s;
}

LagrangianSetup porous_medium(const io::Config& c, const RunSettings& k, int64_t d,
                              const std::string& init, distributed::Group* g) {
  LagrangianSetup s;
  const auto& o = k.opts;
  const double mexp = c.get_double("problem.m", 2.0);
  require(mexp > 1, "problem.m must be > 1");
  const double t0 = c.get_double("problem.t0", 0.1);
  require(t0 > 0, "problem.t0 must be positive");
  const double mass = c.get_double("problem.mass", 1.0);
  require(mass > 0, "problem.mass must be positive");
  s.t0 = t0;
  // Barenblatt: t^{−α} (C − k|x|² t^{−2β})₊^{1/(m−1)}, mass `mass`.
  const double alpha = d / (d * (mexp - 1) + 2), beta = alpha / d;
  const double kk = alpha * (mexp - 1) / (2 * mexp * d), p = 1 / (mexp - 1);
  const double ball = std::pow(M_PI, d / 2.0) * std::tgamma(p + 1) / std::tgamma(p + 1 + d / 2.0);
  const double C = std::pow(mass * std::pow(kk, d / 2.0) / ball, 1 / (p + d / 2.0));
  auto barenblatt = [=](const torch::Tensor& y, double t) {
    auto base = (C - kk * y.pow(2).sum(1) * std::pow(t, -2 * beta)).clamp_min(0);
    return std::pow(t, -alpha) * base.pow(p);
  };
  s.exact_log_rho = [barenblatt](const torch::Tensor& y, double t) {
    return torch::log(barenblatt(y, t));
  };
  const double R = std::sqrt(C / kk) * std::pow(t0, beta);
  auto lo = torch::full({d}, -R, o), hi = torch::full({d}, R, o);
  const int64_t n = c.get_int("particles.n", d == 1 ? 400 : (d == 2 ? 48 : 4000));
  require(n >= 2, "particles.n must be >= 2");
  auto xb = box_points(init, n, d, lo, hi, k.seed, o);
  auto rho = barenblatt(xb.first, t0);
  auto keep = rho > 1e-12 * rho.max();
  s.x = xb.first.index({keep});
  s.log_rho = torch::log(rho.index({keep}));
  s.m = rho.index({keep}) * xb.second;
  s.keep_share(g);
  s.energy.internal = [mexp](const torch::Tensor&, const torch::Tensor& lr) {
    return torch::exp((mexp - 1) * lr) / (mexp - 1);
  };
  return s;
}

}  // namespace

EvnnResult run_lagrangian(const io::Config& c, const ProgressFn& progress,
                          const std::shared_ptr<distributed::Group>& group) {
  auto* g = group.get();
  const auto kind = c.require_string("problem.kind");
  const bool fp = kind == "evnn_fokker_planck";
  auto k = read_run_settings(c, fp ? 0.05 : 0.01, fp ? 18 : 20, 100, 1);
  torch::manual_seed(k.seed);
  const auto& o = k.opts;
  const int64_t d = c.get_int("problem.dim", fp ? 2 : 1);
  require(d >= 1 && d <= 16, "problem.dim must be in [1, 16]");
  const std::string init = c.get_string("particles.init", d <= 2 ? "grid" : "halton");
  require(init == "grid" || init == "halton" || init == "mc",
          "particles.init must be grid, halton or mc");
  auto setup = fp ? fokker_planck(c, k, d, init, g) : porous_medium(c, k, d, init, g);
  auto map = make_flow_map(FlowMapOptions(d)
                               .kind(c.get_string("map.kind", "icnn"))
                               .width(c.get_int("map.width", 16))
                               .depth(c.get_int("map.depth", 2))
                               .min_curvature(c.get_double("map.min_curvature", 1e-3)));
  map->to(o.device(), o.dtype().toScalarType());
  LagrangianSolver solver(map, setup.energy, setup.x, setup.m, setup.log_rho,
                          LagrangianOptions()
                              .tau(k.tau)
                              .optimizer(k.optimizer)
                              .warm_start(c.get_bool("map.warm_start", true))
                              .jacobian_penalty(c.get_double("map.jacobian_penalty", 0.0))
                              .group(group));
  // Independent samples of the initial density, carried by the same maps: their errors are
  // those of the density the maps define, not of the particles the maps were fitted to.
  const int64_t eval_n = c.get_int("output.eval_n", setup.sample_initial ? 8192 : 0);
  require(eval_n >= 0, "output.eval_n must be >= 0");
  require(eval_n == 0 || setup.sample_initial,
          "output.eval_n: independent samples are drawn for problem.kind = evnn_fokker_planck "
          "only");
  const uint64_t eval_seed = k.seed + 1000003;
  if (eval_n > 0) {
    // Each rank carries its share of the tracers, drawn from its own stream.
    auto y = setup.sample_initial(distributed::share_of(eval_n, g, "output.eval_n").count,
                                  distributed::rank_seed(eval_seed, g));
    solver.set_tracers(y, setup.exact_log_rho(y, 0));
  }
  EvnnResult r;
  r.kind = kind;
  r.frame = "lagrangian";
  r.seed = k.seed;
  r.tau = k.tau;
  r.snapshot_xlabel = d == 1 ? "x" : (fp ? "|x - mean(t)|" : "|x|");
  r.snapshot_ylabel = "density";
  const double t0 = setup.t0;
  Stepper st;
  st.step = [&] { return solver.step(); };
  st.time = [&] { return solver.time(); };
  st.energy = [&] { return solver.energy(); };
  st.errors = [&](double t) {
    r.error_t.push_back(t);
    auto ex = setup.exact_log_rho(solver.positions(), t + t0);
    r.error_particles.push_back(
        particle_relative_l2(solver.masses(), solver.log_density(), torch::exp(ex), g));
    if (fp)
      r.sym_kl_particles.push_back(
          particle_symmetric_kl(solver.masses(), solver.log_density(), ex, g));
    if (eval_n == 0) {
      r.error.push_back(r.error_particles.back());
      if (fp) r.sym_kl.push_back(r.sym_kl_particles.back());
      return;
    }
    const auto& y = solver.tracer_positions();
    const auto& ly = solver.tracer_log_density();
    auto ey = setup.exact_log_rho(y, t + t0);
    auto w = torch::full({y.size(0)}, 1.0 / static_cast<double>(eval_n), o);
    r.error.push_back(particle_relative_l2(w, ly, torch::exp(ey), g));
    if (fp) r.sym_kl.push_back(particle_symmetric_kl(w, ly, ey, g));
  };
  st.snapshot = [&] {
    const double t = solver.time();
    auto pos = solver.positions();
    torch::Tensor coord;
    if (d == 1) {
      coord = pos.select(1, 0);
    } else {
      coord = (fp ? pos - setup.ou->moments(t).first : pos).pow(2).sum(1).sqrt();
    }
    auto order = coord.argsort();
    const auto xs = to_vector(coord.index({order}));
    r.snapshots.push_back({fmt::format("EVNN t={:.4g}", t + t0), xs,
                           to_vector(solver.log_density().index({order}).exp())});
    r.snapshots.push_back({fmt::format("exact t={:.4g}", t + t0), xs,
                           to_vector(setup.exact_log_rho(pos, t + t0).index({order}).exp())});
  };
  const double mass0 = solver.total_mass();
  drive(k, st, progress, &r);
  r.metrics.emplace_back(
      "particles", distributed::sum_over_ranks(static_cast<double>(solver.positions().size(0)), g));
  if (g) {
    r.metrics.emplace_back("world_size", static_cast<double>(g->size()));
    r.metrics.emplace_back("particles_per_rank", static_cast<double>(solver.positions().size(0)));
    r.metrics.emplace_back("collective_bytes", static_cast<double>(g->traffic().bytes));
    r.metrics.emplace_back("collective_seconds", g->traffic().seconds);
  }
  r.metrics.emplace_back("eval_samples", static_cast<double>(eval_n));
  r.metrics.emplace_back("eval_seed", static_cast<double>(eval_seed));
  r.metrics.emplace_back("final_rel_l2", r.error.back());
  r.metrics.emplace_back("max_rel_l2", *std::max_element(r.error.begin(), r.error.end()));
  r.metrics.emplace_back("final_rel_l2_particles", r.error_particles.back());
  r.metrics.emplace_back("mass_initial", mass0);
  r.metrics.emplace_back("mass_final", solver.total_mass());
  if (fp) {
    r.metrics.emplace_back("final_sym_kl", r.sym_kl.back());
    r.metrics.emplace_back("final_sym_kl_particles", r.sym_kl_particles.back());
    if (eval_n > 0) {
      auto y = solver.tracer_positions();
      auto ly = solver.tracer_log_density();
      r.metrics.emplace_back(
          "final_sym_kl_std_error",
          sample_symmetric_kl_std_error(ly, setup.exact_log_rho(y, solver.time() + t0), g));
    }
    const auto exact = setup.ou->moments(solver.time());
    // Mass-weighted moments of all ranks' particles.
    auto w = (solver.masses() / solver.total_mass()).unsqueeze(1);
    auto mean = (w * solver.positions()).sum(0);
    distributed::sum_over_ranks({mean}, g);
    auto xc = solver.positions() - mean;
    auto cov = torch::matmul((w * xc).t(), xc);
    distributed::sum_over_ranks({cov}, g);
    r.metrics.emplace_back("mean_error",
                           ((mean - exact.first).norm() / exact.first.norm()).item<double>());
    r.metrics.emplace_back("cov_rel_error",
                           ((cov - exact.second).norm() / exact.second.norm()).item<double>());
  }
  return r;
}

namespace {

const EvnnProblemRegistrar fokker_planck_entry(
    "evnn_fokker_planck",
    {"EVNN Lagrangian: Fokker–Planck, quadratic V (OU), exact Gaussian", run_lagrangian,
     /*sample_parallel=*/true});
const EvnnProblemRegistrar porous_medium_entry(
    "evnn_porous_medium",
    {"EVNN Lagrangian: porous medium u_t = Δ(u^m) vs Barenblatt", run_lagrangian,
     /*sample_parallel=*/true});

}  // namespace

}  // namespace enflow::flows

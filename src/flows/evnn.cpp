#include "enflow/flows/evnn.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "enflow/flows/lagrangian.h"
#include "enflow/flows/networks.h"
#include "enflow/flows/quadrature.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/runtime.h"

namespace enflow::flows {

double EvnnResult::metric(const std::string& name, double fallback) const {
  for (const auto& m : metrics)
    if (m.first == name) return m.second;
  return fallback;
}

std::vector<std::pair<std::string, std::string>> evnn_kinds() {
  return {
      {"evnn_poisson_square", "EVNN Eulerian: Poisson -Δu = f on [0,1]² as energy minimization"},
      {"evnn_poisson_disk", "EVNN Eulerian: Poisson -Δu = f on the unit disk"},
      {"evnn_poisson_highdim", "EVNN Eulerian: Poisson on [0,1]^d (d = 4, 8, 16), QMC integrals"},
      {"evnn_heat", "EVNN Eulerian: heat equation u_t = Δu on [0,1]^d (d = 1, 2)"},
      {"evnn_allen_cahn", "EVNN Eulerian: Allen–Cahn, ε = 0.1, optional volume constraint"},
      {"evnn_fokker_planck", "EVNN Lagrangian: Fokker–Planck, V = |x|²/2 (OU), exact Gaussian"},
      {"evnn_porous_medium", "EVNN Lagrangian: porous medium u_t = Δ(u^m) vs Barenblatt"},
  };
}

namespace {

const double kPi = M_PI;

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> k = {"problem.kind",
                                             "problem.dim",
                                             "problem.bc",
                                             "problem.penalty",
                                             "problem.eps",
                                             "problem.volume_constraint",
                                             "problem.radius0",
                                             "problem.mean0",
                                             "problem.sigma0",
                                             "problem.m",
                                             "problem.t0",
                                             "problem.mass",
                                             "net.arch",
                                             "net.width",
                                             "net.depth",
                                             "map.kind",
                                             "map.width",
                                             "map.depth",
                                             "map.min_curvature",
                                             "map.warm_start",
                                             "quadrature.kind",
                                             "quadrature.n",
                                             "quadrature.boundary_n",
                                             "quadrature.eval_n",
                                             "particles.n",
                                             "particles.init",
                                             "time.tau",
                                             "time.steps",
                                             "optimizer.kind",
                                             "optimizer.max_iter",
                                             "optimizer.lr",
                                             "optimizer.history",
                                             "optimizer.tolerance_grad",
                                             "optimizer.tolerance_change",
                                             "optimizer.fit_iter",
                                             "output.error_every",
                                             "output.snapshots",
                                             "run.seed",
                                             "run.dtype",
                                             "run.device",
                                             "run.threads"};
  return k;
}

void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

struct Common {
  std::string kind;
  uint64_t seed = 0;
  torch::TensorOptions opts;
  double tau = 0;
  int64_t steps = 0, error_every = 1, snapshots = 3;
  std::string optimizer;
  int64_t max_iter = 0, history = 0, fit_iter = 0;
  double lr = 1, tol_grad = 0, tol_change = 0;
};

Common read_common(const io::Config& c, double tau, int64_t steps, int64_t max_iter) {
  Common k;
  k.kind = c.require_string("problem.kind");
  const int64_t seed = c.get_int("run.seed", 0);
  require(seed >= 0, "run.seed must be >= 0");
  k.seed = static_cast<uint64_t>(seed);
  k.opts = torch::TensorOptions()
               .dtype(parse_dtype(c.get_string("run.dtype", "float64")))
               .device(parse_device(c.get_string("run.device", "cpu")));
  k.tau = c.get_double("time.tau", tau);
  require(k.tau > 0 && std::isfinite(k.tau), "time.tau must be positive");
  k.steps = c.get_int("time.steps", steps);
  require(k.steps >= 1, "time.steps must be >= 1");
  k.error_every = c.get_int("output.error_every", std::max<int64_t>(1, k.steps / 10));
  require(k.error_every >= 1, "output.error_every must be >= 1");
  k.snapshots = c.get_int("output.snapshots", 3);
  require(k.snapshots >= 0, "output.snapshots must be >= 0");
  k.optimizer = c.get_string("optimizer.kind", "lbfgs");
  require(k.optimizer == "lbfgs" || k.optimizer == "adam",
          "optimizer.kind must be 'lbfgs' or 'adam'");
  k.max_iter = c.get_int("optimizer.max_iter", max_iter);
  require(k.max_iter >= 1, "optimizer.max_iter must be >= 1");
  k.lr = c.get_double("optimizer.lr", k.optimizer == "adam" ? 1e-3 : 1.0);
  require(k.lr > 0, "optimizer.lr must be positive");
  k.history = c.get_int("optimizer.history", 50);
  require(k.history >= 1, "optimizer.history must be >= 1");
  k.tol_grad = c.get_double("optimizer.tolerance_grad", 1e-11);
  k.tol_change = c.get_double("optimizer.tolerance_change", 1e-14);
  k.fit_iter = c.get_int("optimizer.fit_iter", 2000);
  require(k.fit_iter >= 1, "optimizer.fit_iter must be >= 1");
  return k;
}

// ---------------------------------------------------------------- Eulerian problems

struct EulerianSetup {
  EulerianProblem problem;
  std::vector<double> lo, hi;  // bounding box (snapshot line)
  double radius0 = 0;          // Allen–Cahn initial radius
};

torch::Tensor prod_sin(const torch::Tensor& x, double k) { return torch::sin(k * x).prod(1); }

EulerianSetup make_eulerian(const io::Config& c, const Common& k) {
  EulerianSetup s;
  auto& p = s.problem;
  p.name = k.kind;
  const auto& o = k.opts;
  const std::string qkind = c.get_string("quadrature.kind", "gauss");
  require(qkind == "gauss" || qkind == "halton" || qkind == "mc",
          "quadrature.kind must be gauss, halton or mc");
  const std::string bc = c.get_string("problem.bc", "construction");
  require(bc == "construction" || bc == "penalty", "problem.bc must be construction or penalty");
  const double beta = c.get_double("problem.penalty", 500.0);
  require(beta > 0, "problem.penalty must be positive");
  auto box_rule = [&](const std::vector<double>& lo, const std::vector<double>& hi, int64_t n_gauss,
                      int64_t n_samples) {
    if (qkind == "gauss") return box_gauss(lo, hi, c.get_int("quadrature.n", n_gauss), o);
    return box_samples(lo, hi, c.get_int("quadrature.n", n_samples), qkind, k.seed, o);
  };
  auto dirichlet_energy_minus_f = [](PointFn f) -> EnergyDensity {
    return [f](const torch::Tensor& x, const torch::Tensor& u, const torch::Tensor& g) {
      return 0.5 * g.pow(2).sum(1) - f(x) * u;
    };
  };

  if (k.kind == "evnn_poisson_square" || k.kind == "evnn_heat") {
    const int64_t d = k.kind == "evnn_heat" ? c.get_int("problem.dim", 2) : 2;
    require(d >= 1 && d <= 3, "problem.dim must be 1, 2 or 3 for " + k.kind);
    s.lo.assign(d, 0.0);
    s.hi.assign(d, 1.0);
    p.dim = d;
    const int64_t ng = d == 1 ? 64 : (d == 2 ? 24 : 12);
    p.interior = box_rule(s.lo, s.hi, ng, 4096);
    if (qkind != "gauss") p.eval = box_gauss(s.lo, s.hi, ng, o);
    if (bc == "construction") {
      p.ansatz = [](const torch::Tensor& x, const torch::Tensor& n) {
        return (x * (1 - x)).prod(1) * n;
      };
    } else {
      require(d >= 2, "problem.bc = penalty needs dim >= 2 here");
      p.boundary = box_boundary_samples(s.lo, s.hi, c.get_int("quadrature.boundary_n", 512),
                                        "halton", k.seed + 1, o);
      p.boundary_value = [](const torch::Tensor& x) {
        return torch::zeros({x.size(0)}, x.options());
      };
      p.boundary_penalty = beta;
    }
    if (k.kind == "evnn_poisson_square") {
      p.density = dirichlet_energy_minus_f(
          [](const torch::Tensor& x) { return 2 * kPi * kPi * prod_sin(x, kPi); });
      p.exact = [](const torch::Tensor& x, double) { return prod_sin(x, kPi); };
    } else {
      p.density = [](const torch::Tensor&, const torch::Tensor&, const torch::Tensor& g) {
        return 0.5 * g.pow(2).sum(1);
      };
      p.initial = [](const torch::Tensor& x) { return prod_sin(x, kPi); };
      const double lam = d * kPi * kPi;
      p.exact = [lam](const torch::Tensor& x, double t) {
        return std::exp(-lam * t) * prod_sin(x, kPi);
      };
    }
  } else if (k.kind == "evnn_poisson_disk") {
    p.dim = 2;
    s.lo = {-1, -1};
    s.hi = {1, 1};
    const int64_t n = c.get_int("quadrature.n", 24);
    require(qkind == "gauss", "evnn_poisson_disk uses quadrature.kind = gauss");
    p.interior = disk_gauss(1.0, n, 2 * n, o);
    auto exact = [](const torch::Tensor& x) { return torch::exp(-x.pow(2).sum(1)); };
    p.density = dirichlet_energy_minus_f([](const torch::Tensor& x) {
      auto r2 = x.pow(2).sum(1);
      return (4 - 4 * r2) * torch::exp(-r2);
    });
    p.exact = [exact](const torch::Tensor& x, double) { return exact(x); };
    if (bc == "construction") {
      p.ansatz = [](const torch::Tensor& x, const torch::Tensor& nn) {
        return std::exp(-1.0) + (1 - x.pow(2).sum(1)) * nn;
      };
    } else {
      p.boundary = circle_points(1.0, c.get_int("quadrature.boundary_n", 256), o);
      p.boundary_value = exact;
      p.boundary_penalty = beta;
    }
  } else if (k.kind == "evnn_poisson_highdim") {
    const int64_t d = c.get_int("problem.dim", 4);
    require(d >= 2 && d <= 63, "problem.dim must be in [2, 63]");
    p.dim = d;
    s.lo.assign(d, 0.0);
    s.hi.assign(d, 1.0);
    const std::string sk = qkind == "gauss" ? "halton" : qkind;
    p.interior = box_samples(s.lo, s.hi, c.get_int("quadrature.n", 4096), sk, k.seed, o);
    p.eval = box_samples(s.lo, s.hi, c.get_int("quadrature.eval_n", 16384), "halton",
                         k.seed + 1000003, o);
    auto exact = [](const torch::Tensor& x) { return torch::sin(0.5 * kPi * x).sum(1); };
    p.density = dirichlet_energy_minus_f(
        [exact](const torch::Tensor& x) { return 0.25 * kPi * kPi * exact(x); });
    p.exact = [exact](const torch::Tensor& x, double) { return exact(x); };
    require(bc == "penalty" || !c.has("problem.bc"),
            "evnn_poisson_highdim imposes the boundary condition by penalty (problem.bc)");
    p.boundary = box_boundary_samples(s.lo, s.hi, c.get_int("quadrature.boundary_n", 2048), sk,
                                      k.seed + 1, o);
    p.boundary_value = exact;
    p.boundary_penalty = beta;
  } else if (k.kind == "evnn_allen_cahn") {
    p.dim = 2;
    s.lo = {-1, -1};
    s.hi = {1, 1};
    const double eps = c.get_double("problem.eps", 0.1);
    require(eps > 0, "problem.eps must be positive");
    s.radius0 = c.get_double("problem.radius0", 0.5);
    require(s.radius0 > 0 && s.radius0 < 1, "problem.radius0 must be in (0, 1)");
    p.interior = box_rule(s.lo, s.hi, 48, 4096);
    const double r0 = s.radius0;
    p.initial = [r0, eps](const torch::Tensor& x) {
      return torch::tanh((r0 - x.pow(2).sum(1).sqrt()) / (std::sqrt(2.0) * eps));
    };
    p.density = [eps](const torch::Tensor&, const torch::Tensor& u, const torch::Tensor& g) {
      return 0.5 * g.pow(2).sum(1) + (u.pow(2) - 1).pow(2) / (4 * eps * eps);
    };
    p.conserve_volume = c.get_bool("problem.volume_constraint", false);
  } else {
    throw std::invalid_argument("not an Eulerian EVNN kind: " + k.kind);
  }
  return s;
}

void record(EvnnResult* r, const StepReport& rep, double t) {
  r->t.push_back(t);
  r->energy.push_back(rep.energy_after);
  r->step_seconds.push_back(rep.seconds);
  r->accepted.push_back(rep.accepted ? 1 : 0);
  if (!rep.accepted) ++r->rejected;
  if (rep.energy_after > r->energy[r->energy.size() - 2]) ++r->energy_increases;
}

std::vector<int64_t> snapshot_steps(int64_t steps, int64_t count) {
  std::vector<int64_t> s;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t k = count == 1 ? steps : (steps * i) / (count - 1);
    if (s.empty() || s.back() != k) s.push_back(k);
  }
  return s;
}

EvnnResult run_eulerian(const io::Config& c, const EvnnProgress& progress) {
  const auto kind = c.require_string("problem.kind");
  const bool stationary = kind.find("poisson") != std::string::npos;
  auto k = read_common(c, stationary ? 1.0 : 1e-3, stationary ? 5 : 20, 200);
  torch::manual_seed(k.seed);
  auto setup = make_eulerian(c, k);
  auto net = FieldNet(FieldNetOptions(setup.problem.dim)
                          .arch(c.get_string("net.arch", "shallow"))
                          .width(c.get_int("net.width", 32))
                          .depth(c.get_int("net.depth", 1)));
  net->to(k.opts.device(), k.opts.dtype().toScalarType());
  EulerianSolver solver(net, setup.problem,
                        EulerianOptions()
                            .tau(k.tau)
                            .optimizer(k.optimizer)
                            .max_iter(k.max_iter)
                            .lr(k.lr)
                            .history_size(k.history)
                            .tolerance_grad(k.tol_grad)
                            .tolerance_change(k.tol_change)
                            .fit_iter(k.fit_iter));
  EvnnResult r;
  r.kind = k.kind;
  r.frame = "eulerian";
  r.seed = k.seed;
  r.tau = k.tau;
  const auto start = std::chrono::steady_clock::now();
  const double fit = solver.fit_initial();
  if (setup.problem.initial) r.metrics.emplace_back("initial_fit_rel_l2", fit);
  const bool has_exact = static_cast<bool>(setup.problem.exact);
  // Snapshot line: x_1 varies over the box, other coordinates at the box's centre.
  const int64_t d = setup.problem.dim;
  auto line = torch::zeros({201, d}, k.opts);
  auto s1 = torch::linspace(setup.lo[0], setup.hi[0], 201, k.opts);
  for (int64_t i = 0; i < d; ++i) line.select(1, i).fill_(0.5 * (setup.lo[i] + setup.hi[i]));
  line.select(1, 0).copy_(s1);
  const auto xs = s1.cpu();
  auto tovec = [](const torch::Tensor& t) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  };
  r.snapshot_xlabel = d == 1 ? "x" : "x_1 (other coordinates at the centre)";
  r.snapshot_ylabel = "u";
  const auto snaps = snapshot_steps(k.steps, k.snapshots);
  auto snapshot = [&](int64_t n) {
    if (std::find(snaps.begin(), snaps.end(), n) == snaps.end()) return;
    const double t = solver.time();
    r.snapshots.push_back({fmt::format("EVNN t={:.4g}", t), tovec(xs), tovec(solver.values(line))});
    if (has_exact && (!stationary || n == k.steps))
      r.snapshots.push_back(
          {fmt::format("exact t={:.4g}", t), tovec(xs), tovec(setup.problem.exact(line, t))});
  };
  r.t.push_back(0);
  r.energy.push_back(solver.energy());
  const double v0 = solver.volume();
  if (has_exact) {
    r.error_t.push_back(0);
    r.error.push_back(solver.relative_l2_error(0));
  }
  snapshot(0);
  for (int64_t n = 1; n <= k.steps; ++n) {
    auto rep = solver.step();
    record(&r, rep, solver.time());
    if (progress) progress(rep, k.steps);
    if (has_exact && (n % k.error_every == 0 || n == k.steps)) {
      r.error_t.push_back(solver.time());
      r.error.push_back(solver.relative_l2_error(solver.time()));
    }
    snapshot(n);
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (has_exact) r.metrics.emplace_back("final_rel_l2", r.error.back());
  if (kind == "evnn_allen_cahn") {
    const double v1 = solver.volume();
    r.metrics.emplace_back("volume_initial", v0);
    r.metrics.emplace_back("volume_final", v1);
    // Radius of {u > 0}: area ≈ ∫ (1 + u)/2 over the box.
    const auto& q = setup.problem.interior;
    const double area =
        (q.weights * (1 + solver.values(q.points).clamp(-1, 1)) / 2).sum().item<double>();
    r.metrics.emplace_back("radius_final", std::sqrt(area / kPi));
    const double sharp = setup.radius0 * setup.radius0 - 2 * solver.time();
    r.metrics.emplace_back("radius_sharp_interface", sharp > 0 ? std::sqrt(sharp) : 0.0);
  }
  return r;
}

// ---------------------------------------------------------------- Lagrangian problems

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

EvnnResult run_lagrangian(const io::Config& c, const EvnnProgress& progress) {
  const auto kind = c.require_string("problem.kind");
  const bool fp = kind == "evnn_fokker_planck";
  auto k = read_common(c, fp ? 0.05 : 0.01, fp ? 18 : 20, 100);
  torch::manual_seed(k.seed);
  const auto& o = k.opts;
  const int64_t d = c.get_int("problem.dim", fp ? 2 : 1);
  require(d >= 1 && d <= 16, "problem.dim must be in [1, 16]");
  const std::string init = c.get_string("particles.init", d <= 2 ? "grid" : "halton");
  require(init == "grid" || init == "halton" || init == "mc",
          "particles.init must be grid, halton or mc");
  torch::Tensor x, m, log_rho;
  LagrangianEnergy energy;
  std::function<torch::Tensor(const torch::Tensor&, double)> exact_log_rho;
  double t_offset = 0;
  if (fp) {
    const double mu0 = c.get_double("problem.mean0", 1.0);
    const double s0 = c.get_double("problem.sigma0", 0.5);
    require(s0 > 0, "problem.sigma0 must be positive");
    exact_log_rho = [d, mu0, s0](const torch::Tensor& y, double t) {
      const double mu = mu0 * std::exp(-t);
      const double var = 1 + (s0 * s0 - 1) * std::exp(-2 * t);
      return -0.5 * (y - mu).pow(2).sum(1) / var - 0.5 * d * std::log(2 * kPi * var);
    };
    if (init == "grid") {
      const int64_t n = c.get_int("particles.n", d == 1 ? 400 : 40);
      auto lo = torch::full({d}, mu0 - 5 * s0, o), hi = torch::full({d}, mu0 + 5 * s0, o);
      auto xb = box_points(init, n, d, lo, hi, k.seed, o);
      x = xb.first;
      log_rho = exact_log_rho(x, 0);
      m = torch::exp(log_rho) * xb.second;
    } else {
      const int64_t n = c.get_int("particles.n", 2000);
      x = mu0 + s0 * normal_samples(n, d, init, k.seed, o);
      log_rho = exact_log_rho(x, 0);
      m = torch::full({n}, 1.0 / n, o);
    }
    energy.internal = [](const torch::Tensor&, const torch::Tensor& lr) { return lr; };
    energy.potential = [](const torch::Tensor& y) { return 0.5 * y.pow(2).sum(1); };
  } else if (kind == "evnn_porous_medium") {
    const double mexp = c.get_double("problem.m", 2.0);
    require(mexp > 1, "problem.m must be > 1");
    const double t0 = c.get_double("problem.t0", 0.1);
    require(t0 > 0, "problem.t0 must be positive");
    const double mass = c.get_double("problem.mass", 1.0);
    require(mass > 0, "problem.mass must be positive");
    t_offset = t0;
    const double alpha = d / (d * (mexp - 1) + 2), beta = alpha / d;
    const double kk = alpha * (mexp - 1) / (2 * mexp * d), p = 1 / (mexp - 1);
    const double ball = std::pow(kPi, d / 2.0) * std::tgamma(p + 1) / std::tgamma(p + 1 + d / 2.0);
    const double C = std::pow(mass * std::pow(kk, d / 2.0) / ball, 1 / (p + d / 2.0));
    auto barenblatt = [=](const torch::Tensor& y, double t) {
      auto base = (C - kk * y.pow(2).sum(1) * std::pow(t, -2 * beta)).clamp_min(0);
      return std::pow(t, -alpha) * base.pow(p);
    };
    exact_log_rho = [barenblatt](const torch::Tensor& y, double t) {
      return torch::log(barenblatt(y, t));
    };
    const double R = std::sqrt(C / kk) * std::pow(t0, beta);
    auto lo = torch::full({d}, -R, o), hi = torch::full({d}, R, o);
    const int64_t n = c.get_int("particles.n", d == 1 ? 400 : (d == 2 ? 48 : 4000));
    auto xb = box_points(init, n, d, lo, hi, k.seed, o);
    auto rho = barenblatt(xb.first, t0);
    auto keep = rho > 1e-12 * rho.max();
    x = xb.first.index({keep});
    log_rho = torch::log(rho.index({keep}));
    m = rho.index({keep}) * xb.second;
    energy.internal = [mexp](const torch::Tensor&, const torch::Tensor& lr) {
      return torch::exp((mexp - 1) * lr) / (mexp - 1);
    };
  } else {
    throw std::invalid_argument("not a Lagrangian EVNN kind: " + kind);
  }
  auto map = make_flow_map(FlowMapOptions(d)
                               .kind(c.get_string("map.kind", "icnn"))
                               .width(c.get_int("map.width", 16))
                               .depth(c.get_int("map.depth", 2))
                               .min_curvature(c.get_double("map.min_curvature", 1e-3)));
  map->to(o.device(), o.dtype().toScalarType());
  LagrangianSolver solver(map, energy, x, m, log_rho,
                          LagrangianOptions()
                              .tau(k.tau)
                              .optimizer(k.optimizer)
                              .max_iter(k.max_iter)
                              .lr(k.lr)
                              .history_size(k.history)
                              .tolerance_grad(k.tol_grad)
                              .tolerance_change(k.tol_change)
                              .warm_start(c.get_bool("map.warm_start", true)));
  EvnnResult r;
  r.kind = kind;
  r.frame = "lagrangian";
  r.seed = k.seed;
  r.tau = k.tau;
  auto tovec = [](const torch::Tensor& t) {
    auto c2 = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(c2.data_ptr<double>(), c2.data_ptr<double>() + c2.numel());
  };
  r.snapshot_xlabel = d == 1 ? "x" : (fp ? "|x - mean(t)|" : "|x|");
  r.snapshot_ylabel = "density";
  const auto snaps = snapshot_steps(k.steps, k.snapshots);
  const double mu0 = c.get_double("problem.mean0", 1.0);
  auto errors = [&](double t) {
    const auto& lr = solver.log_density();
    auto ex = exact_log_rho(solver.positions(), t + t_offset);
    r.error_t.push_back(t);
    r.error.push_back(particle_relative_l2(solver.masses(), lr, torch::exp(ex)));
    if (fp) r.sym_kl.push_back(particle_symmetric_kl(solver.masses(), lr, ex));
  };
  auto snapshot = [&](int64_t n) {
    if (std::find(snaps.begin(), snaps.end(), n) == snaps.end()) return;
    const double t = solver.time();
    auto pos = solver.positions();
    torch::Tensor coord;
    if (d == 1) {
      coord = pos.select(1, 0);
    } else {
      coord = (fp ? pos - mu0 * std::exp(-t) : pos).pow(2).sum(1).sqrt();
    }
    auto order = coord.argsort();
    auto xs = coord.index({order});
    r.snapshots.push_back({fmt::format("EVNN t={:.4g}", t + t_offset), tovec(xs),
                           tovec(solver.log_density().index({order}).exp())});
    r.snapshots.push_back({fmt::format("exact t={:.4g}", t + t_offset), tovec(xs),
                           tovec(exact_log_rho(pos, t + t_offset).index({order}).exp())});
  };
  const auto start = std::chrono::steady_clock::now();
  r.t.push_back(0);
  r.energy.push_back(solver.energy());
  const double mass0 = solver.total_mass();
  errors(0);
  snapshot(0);
  for (int64_t n = 1; n <= k.steps; ++n) {
    auto rep = solver.step();
    record(&r, rep, solver.time());
    if (progress) progress(rep, k.steps);
    if (n % k.error_every == 0 || n == k.steps) errors(solver.time());
    snapshot(n);
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.metrics.emplace_back("particles", static_cast<double>(solver.positions().size(0)));
  r.metrics.emplace_back("final_rel_l2", r.error.back());
  r.metrics.emplace_back("mass_initial", mass0);
  r.metrics.emplace_back("mass_final", solver.total_mass());
  if (fp) {
    r.metrics.emplace_back("final_sym_kl", r.sym_kl.back());
    const double t = solver.time();
    const double mu = mu0 * std::exp(-t);
    const double s0 = c.get_double("problem.sigma0", 0.5);
    const double var = 1 + (s0 * s0 - 1) * std::exp(-2 * t);
    auto w = (solver.masses() / solver.masses().sum()).unsqueeze(1);
    auto mean = (w * solver.positions()).sum(0);
    auto xc = solver.positions() - mean;
    auto cov = torch::matmul((w * xc).t(), xc);
    r.metrics.emplace_back("mean_error", (mean - mu).norm().item<double>() /
                                             (std::abs(mu) * std::sqrt(static_cast<double>(d))));
    auto cov_exact = var * torch::eye(d, o);
    r.metrics.emplace_back("cov_rel_error",
                           ((cov - cov_exact).norm() / cov_exact.norm()).item<double>());
  }
  return r;
}

std::string csv_line(const std::vector<double>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + fmt::format("{:.17g}", v[i]);
  return s;
}

}  // namespace

EvnnResult run_evnn(const io::Config& c, const EvnnProgress& progress) {
  c.check_known(known_keys());
  const auto kind = c.require_string("problem.kind");
  if (kind == "evnn_fokker_planck" || kind == "evnn_porous_medium")
    return run_lagrangian(c, progress);
  for (const auto& kd : evnn_kinds())
    if (kd.first == kind) return run_eulerian(c, progress);
  std::string known;
  for (const auto& kd : evnn_kinds()) known += (known.empty() ? "" : ", ") + kd.first;
  throw std::invalid_argument("unknown EVNN problem.kind '" + kind + "' (known: " + known + ")");
}

std::string evnn_summary_json(const EvnnResult& r) {
  double mean_step = 0;
  for (double s : r.step_seconds) mean_step += s;
  mean_step /= std::max<size_t>(1, r.step_seconds.size());
  std::string s = fmt::format(
      "{{\"kind\": \"{}\", \"frame\": \"{}\", \"seed\": {}, \"tau\": {}, \"steps\": {}, "
      "\"energy_initial\": {:.12g}, \"energy_final\": {:.12g}, \"energy_increases\": {}, "
      "\"rejected_steps\": {}, \"seconds_per_step\": {:.4g}, \"wall_seconds\": {:.4g}",
      r.kind, r.frame, r.seed, r.tau, r.step_seconds.size(), r.energy.front(), r.energy.back(),
      r.energy_increases, r.rejected, mean_step, r.wall_seconds);
  for (const auto& m : r.metrics) s += fmt::format(", \"{}\": {:.6g}", m.first, m.second);
  s += ", \"error_t\": [" + csv_line(r.error_t) + "], \"rel_l2\": [" + csv_line(r.error) + "]";
  if (!r.sym_kl.empty()) s += ", \"sym_kl\": [" + csv_line(r.sym_kl) + "]";
  s += ", \"energy\": [" + csv_line(r.energy) + "]}";
  return s;
}

std::vector<std::string> write_evnn_outputs(const EvnnResult& r, const std::string& dir,
                                            const std::string& config_toml) {
  std::vector<std::string> written;
  auto put = [&](const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    io::write_atomically(path, [&](const std::string& tmp) {
      std::ofstream f(tmp);
      f << text;
      if (!f) throw std::runtime_error("cannot write " + tmp);
    });
    written.push_back(path);
  };
  std::string e = "step,t,energy,accepted,seconds\n";
  for (size_t i = 0; i < r.energy.size(); ++i)
    e += fmt::format("{},{:.10g},{:.17g},{},{:.6g}\n", i, r.t[i], r.energy[i],
                     i ? r.accepted[i - 1] : 1, i ? r.step_seconds[i - 1] : 0.0);
  put("energy.csv", e);
  if (!r.error.empty()) {
    std::string er = r.sym_kl.empty() ? "t,rel_l2\n" : "t,rel_l2,sym_kl\n";
    for (size_t i = 0; i < r.error.size(); ++i) {
      er += fmt::format("{:.10g},{:.10g}", r.error_t[i], r.error[i]);
      if (!r.sym_kl.empty()) er += fmt::format(",{:.10g}", r.sym_kl[i]);
      er += "\n";
    }
    put("errors.csv", er);
  }
  put("summary.json", evnn_summary_json(r) + "\n");
  put("config.toml", config_toml);
  if (io::gnuplot_available()) {
    std::string title = r.kind;  // gnuplot's enhanced text reads '_' as a subscript
    std::replace(title.begin(), title.end(), '_', ' ');
    const std::string ep = dir + "/energy.png";
    io::plot_lines(ep, {title + ": discrete energy at every step", "t", "F_h", false},
                   {{"EVNN", r.t, r.energy}});
    written.push_back(ep);
    if (!r.snapshots.empty()) {
      std::vector<io::Series> s;
      for (const auto& sn : r.snapshots) s.push_back({sn.label, sn.x, sn.y});
      const std::string sp = dir + "/snapshots.png";
      io::plot_lines(sp, {title + ": solution snapshots", r.snapshot_xlabel, r.snapshot_ylabel}, s);
      written.push_back(sp);
    }
  }
  return written;
}

}  // namespace enflow::flows

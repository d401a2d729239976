// EVNN Eulerian problems from a config: Poisson (square, disk, [0,1]^d), heat, Allen–Cahn.
// On many processes each rank holds its share of every point set (docs/distributed.md).
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "enflow/distributed/group.h"
#include "enflow/distributed/sample_shard.h"
#include "enflow/flows/eulerian.h"
#include "enflow/flows/networks.h"
#include "enflow/flows/quadrature.h"
#include "enflow/io/config.h"
#include "flows/evnn_run.h"

namespace enflow::flows {
namespace {

constexpr int64_t kMaxGaussNodes = 4096;  // per dimension

struct EulerianSetup {
  EulerianProblem problem;
  std::vector<double> lo, hi;  // bounding box (snapshot line)
  double radius0 = 0;          // Allen–Cahn initial radius
};

torch::Tensor prod_sin(const torch::Tensor& x, double k) { return torch::sin(k * x).prod(1); }

/// This rank's share of a rule built whole (a grid, a Halton set: the one-process points);
/// `key` names the count in the error when there are fewer points than ranks.
Quadrature rule_share(const Quadrature& q, distributed::Group* g, const char* key) {
  if (!g) return q;
  distributed::share_of(q.size(), g, key);  // throws, naming the key, below one per rank
  return {distributed::rows_of_share(q.points, g), distributed::rows_of_share(q.weights, g)};
}

/// n equal-weight points in the box: Monte Carlo points are drawn on each rank from its own
/// stream (its share only; rank 0 keeps the one-process stream), the others built whole and
/// sliced. Weights are volume / n, n the global count.
Quadrature box_samples_share(const std::vector<double>& lo, const std::vector<double>& hi,
                             int64_t n, const std::string& kind, uint64_t seed,
                             const torch::TensorOptions& o, distributed::Group* g,
                             const char* key) {
  if (!g || kind != "mc") return rule_share(box_samples(lo, hi, n, kind, seed, o), g, key);
  const auto share = distributed::share_of(n, g, key);
  auto q = box_samples(lo, hi, share.count, kind, distributed::rank_seed(seed, g), o);
  double vol = 1;
  for (size_t i = 0; i < lo.size(); ++i) vol *= hi[i] - lo[i];
  q.weights.fill_(vol / static_cast<double>(n));
  return q;
}

EulerianSetup make_eulerian(const io::Config& c, const RunSettings& k, distributed::Group* g) {
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
    const int64_t d = static_cast<int64_t>(lo.size());
    if (qkind == "gauss") {
      const int64_t n = c.get_int("quadrature.n", n_gauss);
      // The rule has n^d points, and Gauss–Legendre nodes cost O(n²) to compute.
      check_point_count(c, "quadrature.n", std::pow(static_cast<double>(n), d), d);
      require(n >= 1 && n <= kMaxGaussNodes,
              fmt::format("quadrature.n = {} must be in [1, {}] for a Gauss rule (use "
                          "quadrature.kind = halton for more points)",
                          n, kMaxGaussNodes));
      return rule_share(box_gauss(lo, hi, n, o), g, "quadrature points");
    }
    const int64_t n = c.get_int("quadrature.n", n_samples);
    require(n >= 1, "quadrature.n must be >= 1");
    check_point_count(c, "quadrature.n", static_cast<double>(n), d);
    return box_samples_share(lo, hi, n, qkind, k.seed, o, g, "quadrature.n");
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
    if (qkind != "gauss") p.eval = rule_share(box_gauss(s.lo, s.hi, ng, o), g, "evaluation points");
    if (bc == "construction") {
      p.ansatz = [](const torch::Tensor& x, const torch::Tensor& n) {
        return (x * (1 - x)).prod(1) * n;
      };
    } else {
      require(d >= 2, "problem.bc = penalty needs dim >= 2 here");
      p.boundary =
          rule_share(box_boundary_samples(s.lo, s.hi, c.get_int("quadrature.boundary_n", 512),
                                          "halton", k.seed + 1, o),
                     g, "quadrature.boundary_n");
      p.boundary_value = [](const torch::Tensor& x) {
        return torch::zeros({x.size(0)}, x.options());
      };
      p.boundary_penalty = beta;
    }
    if (k.kind == "evnn_poisson_square") {
      p.density = dirichlet_energy_minus_f(
          [](const torch::Tensor& x) { return 2 * M_PI * M_PI * prod_sin(x, M_PI); });
      p.exact = [](const torch::Tensor& x, double) { return prod_sin(x, M_PI); };
    } else {
      p.density = [](const torch::Tensor&, const torch::Tensor&, const torch::Tensor& g) {
        return 0.5 * g.pow(2).sum(1);
      };
      p.initial = [](const torch::Tensor& x) { return prod_sin(x, M_PI); };
      const double lam = d * M_PI * M_PI;
      p.exact = [lam](const torch::Tensor& x, double t) {
        return std::exp(-lam * t) * prod_sin(x, M_PI);
      };
    }
  } else if (k.kind == "evnn_poisson_disk") {
    p.dim = 2;
    s.lo = {-1, -1};
    s.hi = {1, 1};
    const int64_t n = c.get_int("quadrature.n", 24);
    require(qkind == "gauss", "evnn_poisson_disk uses quadrature.kind = gauss");
    check_point_count(c, "quadrature.n", 2.0 * n * n, 2);
    require(n >= 1 && n <= kMaxGaussNodes,
            fmt::format("quadrature.n = {} must be in [1, {}]", n, kMaxGaussNodes));
    p.interior = rule_share(disk_gauss(1.0, n, 2 * n, o), g, "quadrature points");
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
      p.boundary = rule_share(circle_points(1.0, c.get_int("quadrature.boundary_n", 256), o), g,
                              "quadrature.boundary_n");
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
    const int64_t n = c.get_int("quadrature.n", 4096);
    require(n >= 1, "quadrature.n must be >= 1");
    check_point_count(c, "quadrature.n", static_cast<double>(n), d);
    p.interior = box_samples_share(s.lo, s.hi, n, sk, k.seed, o, g, "quadrature.n");
    p.eval = rule_share(box_samples(s.lo, s.hi, c.get_int("quadrature.eval_n", 16384), "halton",
                                    k.seed + 1000003, o),
                        g, "quadrature.eval_n");
    auto exact = [](const torch::Tensor& x) { return torch::sin(0.5 * M_PI * x).sum(1); };
    p.density = dirichlet_energy_minus_f(
        [exact](const torch::Tensor& x) { return 0.25 * M_PI * M_PI * exact(x); });
    p.exact = [exact](const torch::Tensor& x, double) { return exact(x); };
    require(bc == "penalty" || !c.has("problem.bc"),
            "evnn_poisson_highdim imposes the boundary condition by penalty (problem.bc)");
    // The boundary set is small: built whole (the one-process set, Monte Carlo included) and
    // sliced.
    p.boundary =
        rule_share(box_boundary_samples(s.lo, s.hi, c.get_int("quadrature.boundary_n", 2048), sk,
                                        k.seed + 1, o),
                   g, "quadrature.boundary_n");
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

}  // namespace

EvnnResult run_eulerian(const io::Config& c, const ProgressFn& progress,
                        const std::shared_ptr<distributed::Group>& group) {
  auto* g = group.get();
  const auto kind = c.require_string("problem.kind");
  const bool stationary = kind.find("poisson") != std::string::npos;
  const int64_t default_steps = stationary ? 5 : 20;
  auto k = read_run_settings(c, stationary ? 1.0 : 1e-3, default_steps, 200,
                             std::max<int64_t>(1, c.get_int("time.steps", default_steps) / 10));
  torch::manual_seed(k.seed);
  auto setup = make_eulerian(c, k, g);
  // "shallow": `depth` tanh layers of `width`; "resnet": `depth` residual blocks.
  const auto arch =
      nn::scalar_arch_from_string(c.get_string("network.arch", "shallow"), "network.arch");
  const int64_t width = c.get_int("network.width", 32), depth = c.get_int("network.depth", 1);
  if (width < 1 || depth < 1)
    throw std::invalid_argument("network.width and network.depth must be >= 1");
  auto net = nn::ScalarNet(nn::ScalarNetOptions(setup.problem.dim)
                               .arch(arch)
                               .hidden(std::vector<int64_t>(depth, width))
                               .width(width)
                               .blocks(depth));
  net->to(k.opts.device(), k.opts.dtype().toScalarType());
  EulerianSolver solver(
      net, setup.problem,
      EulerianOptions().tau(k.tau).optimizer(k.optimizer).fit_iter(k.fit_iter).group(group));
  EvnnResult r;
  r.kind = k.kind;
  r.frame = "eulerian";
  r.seed = k.seed;
  r.tau = k.tau;
  const auto fit_start = std::chrono::steady_clock::now();
  const double fit = solver.fit_initial();
  if (setup.problem.initial) {
    r.metrics.emplace_back("initial_fit_rel_l2", fit);
    r.metrics.emplace_back(
        "initial_fit_seconds",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
  }
  const bool has_exact = static_cast<bool>(setup.problem.exact);
  // Snapshot line: x_1 varies over the box, other coordinates at the box's centre.
  const int64_t d = setup.problem.dim;
  auto line = torch::zeros({201, d}, k.opts);
  auto s1 = torch::linspace(setup.lo[0], setup.hi[0], 201, k.opts);
  for (int64_t i = 0; i < d; ++i) line.select(1, i).fill_(0.5 * (setup.lo[i] + setup.hi[i]));
  line.select(1, 0).copy_(s1);
  const auto xs = to_vector(s1);
  r.snapshot_xlabel = d == 1 ? "x" : "x_1 (other coordinates at the centre)";
  r.snapshot_ylabel = "u";
  const double v0 = solver.volume();
  Stepper st;
  st.step = [&] { return solver.step(); };
  st.time = [&] { return solver.time(); };
  st.energy = [&] { return solver.energy(); };
  if (has_exact) {
    st.errors = [&](double t) {
      r.error_t.push_back(t);
      r.error.push_back(solver.relative_l2_error(t));
    };
  }
  st.snapshot = [&] {
    const double t = solver.time();
    r.snapshots.push_back({fmt::format("EVNN t={:.4g}", t), xs, to_vector(solver.values(line))});
    if (has_exact && (!stationary || solver.steps_taken() == k.steps))
      r.snapshots.push_back(
          {fmt::format("exact t={:.4g}", t), xs, to_vector(setup.problem.exact(line, t))});
  };
  drive(k, st, progress, &r);
  if (has_exact) {
    r.metrics.emplace_back("final_rel_l2", r.error.back());
    // Over the whole run (for a time-dependent problem; a stationary one starts anywhere).
    if (!stationary)
      r.metrics.emplace_back("max_rel_l2", *std::max_element(r.error.begin(), r.error.end()));
  }
  if (kind == "evnn_allen_cahn") {
    const double v1 = solver.volume();
    r.metrics.emplace_back("volume_initial", v0);
    r.metrics.emplace_back("volume_final", v1);
    // Radius of {u > 0}: area ≈ ∫ (1 + u)/2 over the box.
    const auto& q = setup.problem.interior;
    const double area = distributed::sum_over_ranks(
        (q.weights * (1 + solver.values(q.points).clamp(-1, 1)) / 2).sum().item<double>(), g);
    r.metrics.emplace_back("radius_final", std::sqrt(area / M_PI));
    const double sharp = setup.radius0 * setup.radius0 - 2 * solver.time();
    r.metrics.emplace_back("radius_sharp_interface", sharp > 0 ? std::sqrt(sharp) : 0.0);
  }
  const auto points = static_cast<double>(setup.problem.interior.size());
  r.metrics.emplace_back("quadrature_points", distributed::sum_over_ranks(points, g));
  if (g) {
    r.metrics.emplace_back("world_size", static_cast<double>(g->size()));
    r.metrics.emplace_back("points_per_rank", points);
    r.metrics.emplace_back("collective_bytes", static_cast<double>(g->traffic().bytes));
    r.metrics.emplace_back("collective_seconds", g->traffic().seconds);
  }
  return r;
}

namespace {

const EvnnProblemRegistrar poisson_square(
    "evnn_poisson_square", {"EVNN Eulerian: Poisson -Δu = f on [0,1]² as energy minimization",
                            run_eulerian, /*sample_parallel=*/true});
const EvnnProblemRegistrar poisson_disk("evnn_poisson_disk",
                                        {"EVNN Eulerian: Poisson -Δu = f on the unit disk",
                                         run_eulerian, /*sample_parallel=*/true});
const EvnnProblemRegistrar poisson_highdim(
    "evnn_poisson_highdim", {"EVNN Eulerian: Poisson on [0,1]^d (d = 4, 8, 16), QMC integrals",
                             run_eulerian, /*sample_parallel=*/true});
const EvnnProblemRegistrar heat("evnn_heat",
                                {"EVNN Eulerian: heat equation u_t = Δu on [0,1]^d (d = 1, 2)",
                                 run_eulerian, /*sample_parallel=*/true});
const EvnnProblemRegistrar allen_cahn(
    "evnn_allen_cahn", {"EVNN Eulerian: Allen–Cahn, ε = 0.1, optional volume constraint",
                        run_eulerian, /*sample_parallel=*/true});

}  // namespace

}  // namespace enflow::flows

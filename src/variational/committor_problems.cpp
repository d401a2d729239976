// The committor test problems: 1-D double well, concentric spheres, Mueller-Brown (2-D and
// embedded), extended Ginzburg-Landau.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "enflow/io/config.h"
#include "enflow/io/key_reader.h"
#include "enflow/sampling/mala.h"
#include "enflow/variational/committor.h"

namespace enflow::variational {

namespace {

/// Persistent MALA chains on exp(-sample_beta V), created by init(n) and burnt in on the first
/// call (and whenever n changes); each call advances mala.thin steps and returns the states
/// with log-weights -(beta - sample_beta) V. With a region, the chains sample the measure
/// restricted to it.
Sampler gibbs_sampler(const ScalarField& potential, double beta, const GibbsSampling& g,
                      std::function<torch::Tensor(int64_t)> init,
                      sampling::Region region = nullptr) {
  if (!(g.sample_beta() > 0))
    throw std::invalid_argument("committor sampler: sample_beta must be > 0");
  sampling::check(g.mala());
  const double sb = g.sample_beta();
  sampling::LogDensity log_p = [potential, sb](const torch::Tensor& x) {
    return -sb * potential(x);
  };
  auto chains = std::make_shared<std::unique_ptr<sampling::MalaChains>>();
  return [=](int64_t n) {
    if (!*chains || (*chains)->states().size(0) != n) {
      *chains = std::make_unique<sampling::MalaChains>(log_p, init(n), g.mala(), region);
      (*chains)->burn_in();
    }
    (*chains)->advance(g.mala().thin(), /*adapt=*/false);
    auto x = (*chains)->states().clone();
    auto log_w = -(beta - sb) * potential(x).detach();
    return WeightedSamples{x, log_w};
  };
}

torch::Tensor sphere_directions(int64_t n, int64_t d, const torch::TensorOptions& o) {
  auto g = torch::randn({n, d}, o);
  return g / g.norm(2, 1, true);
}

}  // namespace

CommittorProblem double_well_problem(double beta, const at::TensorOptions& options, double margin) {
  if (!(beta > 0)) throw std::invalid_argument("double well: beta must be positive");
  CommittorProblem p;
  p.name = "double_well";
  p.dim = 1;
  p.beta = beta;
  p.potential = [](const torch::Tensor& x) { return (x.select(1, 0).pow(2) - 1).pow(2); };
  p.in_a = [](const torch::Tensor& x) { return x.select(1, 0) <= -1; };
  p.in_b = [](const torch::Tensor& x) { return x.select(1, 0) >= 1; };
  auto V = p.potential;
  p.sampler = [=](int64_t n) {
    auto x = (torch::rand({n, 1}, options) * (2 + 2 * margin) - (1 + margin));
    return WeightedSamples{x, -beta * V(x)};
  };
  // Quadrature on a fine grid: cumulative trapezoid of exp(beta V) from -1 to 1.
  const int64_t m = 20001;
  auto grid = torch::linspace(-1, 1, m, options);
  auto e = torch::exp(beta * (grid.pow(2) - 1).pow(2));
  auto cum = torch::zeros({m}, options);
  cum.narrow(0, 1, m - 1)
      .copy_(torch::cumsum(0.5 * (e.narrow(0, 1, m - 1) + e.narrow(0, 0, m - 1)), 0));
  auto table = cum / cum[m - 1];
  p.exact = [table, m](const torch::Tensor& x) {
    auto t = ((x.select(1, 0).clamp(-1, 1) + 1) / 2 * (m - 1)).to(table.device());
    auto i0 = t.floor().clamp(0, m - 2).to(torch::kLong);
    auto frac = t - i0.to(t.scalar_type());
    return (table.index_select(0, i0) * (1 - frac) + table.index_select(0, i0 + 1) * frac)
        .to(x.scalar_type());
  };
  p.input_scale = torch::ones({1}, options);
  p.input_shift = torch::zeros({1}, options);
  p.lift = [](const torch::Tensor& x) { return ((x.select(1, 0) + 1) / 2).clamp(0, 1); };
  p.distance = [](const torch::Tensor& x) { return (1 - x.select(1, 0).pow(2)).clamp_min(0); };
  return p;
}

CommittorProblem concentric_spheres_problem(int64_t dim, double a, double b,
                                            const at::TensorOptions& options, double margin) {
  if (dim < 1) throw std::invalid_argument("concentric spheres: dim must be >= 1");
  if (!(a > margin) || !(b > a) || !(margin >= 0))
    throw std::invalid_argument("concentric spheres: need 0 <= margin < a < b");
  CommittorProblem p;
  p.name = "concentric_spheres";
  p.dim = dim;
  p.beta = 1.0;
  p.in_a = [a](const torch::Tensor& x) { return x.norm(2, 1) <= a; };
  p.in_b = [b](const torch::Tensor& x) { return x.norm(2, 1) >= b; };
  p.sampler = [=](int64_t n) {
    auto r = torch::rand({n, 1}, options) * (b - a + 2 * margin) + (a - margin);
    auto x = r * sphere_directions(n, dim, options);
    return WeightedSamples{x, double(dim - 1) * torch::log(r.squeeze(1))};
  };
  p.exact = [=](const torch::Tensor& x) {
    auto r = x.norm(2, 1).clamp(a, b);
    if (dim == 2) return torch::log(r / a) / std::log(b / a);
    if (dim == 1) return (r - a) / (b - a);
    const double k = 2.0 - double(dim);
    return (std::pow(a, k) - r.pow(k)) / (std::pow(a, k) - std::pow(b, k));
  };
  p.input_shift = torch::zeros({dim}, options);
  p.input_scale = torch::full({dim}, b, options);
  p.lift = [a, b](const torch::Tensor& x) { return ((x.norm(2, 1) - a) / (b - a)).clamp(0, 1); };
  p.distance = [a, b](const torch::Tensor& x) {
    auto r = x.norm(2, 1);
    return ((r - a) * (b - r)).clamp_min(0) / ((b - a) * (b - a));
  };
  return p;
}

at::Tensor muller_brown_potential(const at::Tensor& x) {
  static const double A[4] = {-200, -100, -170, 15}, a[4] = {-1, -1, -6.5, 0.7},
                      b[4] = {0, 0, 11, 0.6}, c[4] = {-10, -10, -6.5, 0.7},
                      x0[4] = {1, 0, -0.5, -1}, y0[4] = {0, 0.5, 1.5, 1};
  auto X = x.select(1, 0), Y = x.select(1, 1);
  auto v = torch::zeros_like(X);
  for (int i = 0; i < 4; ++i) {
    auto dx = X - x0[i], dy = Y - y0[i];
    v = v + A[i] * torch::exp(a[i] * dx * dx + b[i] * dx * dy + c[i] * dy * dy);
  }
  return v;
}

CommittorProblem muller_brown_problem(int64_t dim, double beta, const GibbsSampling& gibbs,
                                      const at::TensorOptions& options, double confine,
                                      double radius) {
  if (dim < 2) throw std::invalid_argument("Mueller-Brown: dim must be >= 2");
  if (!(beta > 0) || !(radius > 0) || !(confine >= 0))
    throw std::invalid_argument("Mueller-Brown: need beta > 0, radius > 0, confine >= 0");
  CommittorProblem p;
  p.name = dim == 2 ? "muller_brown" : "muller_brown_" + std::to_string(dim) + "d";
  p.dim = dim;
  p.beta = beta;
  p.potential = [dim, confine](const torch::Tensor& x) {
    auto v = muller_brown_potential(x);
    if (dim > 2) v = v + 0.5 * confine * x.narrow(1, 2, dim - 2).pow(2).sum(1);
    return v;
  };
  const double ax = -0.558, ay = 1.442, bx = 0.623, by = 0.028;
  auto disk = [radius](double cx, double cy) {
    return [=](const torch::Tensor& x) {
      return (x.select(1, 0) - cx).pow(2) + (x.select(1, 1) - cy).pow(2) <= radius * radius;
    };
  };
  p.in_a = disk(ax, ay);
  p.in_b = disk(bx, by);
  // Boundary conditions built in: phi_A, phi_B vanish on the two circles and are positive
  // outside them, so lift = phi_A / (phi_A + phi_B) is 0 on A and 1 on B, and
  // distance = phi_A phi_B / (phi_A + phi_B) vanishes on both (decision 38).
  auto phi = [radius](double cx, double cy) {
    return [=](const torch::Tensor& x) {
      return (x.select(1, 0) - cx).pow(2) + (x.select(1, 1) - cy).pow(2) - radius * radius;
    };
  };
  auto phi_a = phi(ax, ay), phi_b = phi(bx, by);
  p.lift = [=](const torch::Tensor& x) {
    auto pa = phi_a(x).clamp_min(0), pb = phi_b(x).clamp_min(0);
    return pa / (pa + pb).clamp_min(1e-300);
  };
  p.distance = [=](const torch::Tensor& x) {
    auto pa = phi_a(x).clamp_min(0), pb = phi_b(x).clamp_min(0);
    return pa * pb / (pa + pb).clamp_min(1e-300);
  };
  auto init = [=](int64_t n) {
    // Half the chains start in A, half in B.
    auto x = torch::zeros({n, dim}, options);
    auto half = n / 2;
    x.narrow(0, 0, half).select(1, 0).fill_(ax);
    x.narrow(0, 0, half).select(1, 1).fill_(ay);
    x.narrow(0, half, n - half).select(1, 0).fill_(bx);
    x.narrow(0, half, n - half).select(1, 1).fill_(by);
    return x;
  };
  p.sampler = gibbs_sampler(p.potential, beta, gibbs, init);
  auto shift = torch::zeros({dim}, options), scale = torch::ones({dim}, options);
  shift[0] = -0.25;
  shift[1] = 0.75;
  scale[0] = 0.8;
  scale[1] = 0.8;
  if (dim > 2 && confine > 0)
    scale.narrow(0, 2, dim - 2).fill_(1.0 / std::sqrt(gibbs.sample_beta() * confine));
  p.input_shift = shift;
  p.input_scale = scale;
  return p;
}

CommittorProblem ginzburg_landau_problem(int64_t n, double lambda, double beta,
                                         const GibbsSampling& gibbs,
                                         const at::TensorOptions& options, double set_level,
                                         double margin) {
  if (n < 2 || !(lambda > 0) || !(beta > 0) || !(set_level > 0 && set_level < 1) || !(margin > 0))
    throw std::invalid_argument(
        "Ginzburg-Landau: need n >= 2, lambda > 0, beta > 0, 0 < set_level < 1, margin > 0");
  CommittorProblem p;
  p.name = "ginzburg_landau";
  p.dim = n;
  p.beta = beta;
  const double h = 1.0 / double(n + 1);
  p.potential = [=](const torch::Tensor& u) {
    auto padded = torch::constant_pad_nd(u, {1, 1}, 0.0);
    auto du = (padded.narrow(1, 1, n + 1) - padded.narrow(1, 0, n + 1)) / h;
    return h * (0.5 * lambda * du.pow(2).sum(1) + (1 - u.pow(2)).pow(2).sum(1) / (4 * lambda));
  };
  p.in_a = [set_level](const torch::Tensor& u) { return u.mean(1) <= -set_level; };
  p.in_b = [set_level](const torch::Tensor& u) { return u.mean(1) >= set_level; };
  // Boundary conditions built in through the mean m: lift 0 at m = -s, 1 at m = s; the
  // distance vanishes at both levels (decision 38).
  p.lift = [set_level](const torch::Tensor& u) {
    return ((u.mean(1) + set_level) / (2 * set_level)).clamp(0, 1);
  };
  p.distance = [set_level](const torch::Tensor& u) {
    auto m = u.mean(1);
    return ((m + set_level) * (set_level - m)).clamp_min(0) / (4 * set_level * set_level);
  };
  auto init = [=](int64_t c) {
    auto x = torch::arange(1, n + 1, options) / double(n + 1);
    auto centre = 0.5 + set_level * (torch::rand({c, 1}, options) - 0.5);
    return torch::tanh((x - centre) / (std::sqrt(2.0) * lambda));
  };
  auto region = [=](const torch::Tensor& u) { return u.mean(1).abs() < set_level + margin; };
  p.sampler = gibbs_sampler(p.potential, beta, gibbs, init, region);
  p.input_shift = torch::zeros({n}, options);
  p.input_scale = torch::ones({n}, options);
  return p;
}

at::Tensor ginzburg_landau_path(const CommittorProblem& problem,
                                const std::vector<double>& levels) {
  if (!problem.potential || problem.dim < 2)
    throw std::invalid_argument("Ginzburg-Landau path: the problem needs a potential and dim >= 2");
  const int64_t n = problem.dim;
  const auto o = problem.input_shift.defined() ? problem.input_shift.options()
                                               : torch::TensorOptions().dtype(torch::kDouble);
  auto grid = torch::arange(1, n + 1, o) / double(n + 1);
  std::vector<torch::Tensor> out;
  for (double m : levels) {
    if (!(m > -1 && m < 1))
      throw std::invalid_argument("Ginzburg-Landau path: levels must lie in (-1, 1)");
    // u = v - mean(v) + m keeps the constraint; L-BFGS on v.
    auto v = torch::tanh((grid - (1 - m) / 2) / 0.05).unsqueeze(0).requires_grad_(true);
    auto constrained = [&] { return v - v.mean() + m; };
    torch::optim::LBFGS opt({v}, torch::optim::LBFGSOptions(1.0)
                                     .max_iter(5000)
                                     .tolerance_grad(1e-12)
                                     .tolerance_change(1e-15)
                                     .history_size(50)
                                     .line_search_fn("strong_wolfe"));
    opt.step([&] {
      opt.zero_grad();
      auto e = problem.potential(constrained()).sum();
      e.backward();
      return e;
    });
    out.push_back(constrained().detach().squeeze(0));
  }
  return torch::stack(out);
}

std::vector<io::KeySpec> gibbs_sampling_key_specs() {
  return {{"sampler.sample_beta", "float", "1", "inverse temperature the samples are drawn at"},
          {"sampler.step", "float", "0.001", "initial MALA step (adapted in the burn-in)"},
          {"sampler.burn_in", "int", "2000", "MALA steps discarded"},
          {"sampler.thin", "int", "5", "MALA steps between two kept samples"}};
}

GibbsSampling gibbs_sampling_from_config(const io::KeyReader& keys) {
  return GibbsSampling()
      .sample_beta(keys.get_double("sampler.sample_beta"))
      .mala(sampling::MalaOptions(GibbsSampling().mala())
                .step(keys.get_double("sampler.step"))
                .burn_in(keys.get_int("sampler.burn_in"))
                .thin(keys.get_int("sampler.thin")));
}

namespace {

// A sampled problem's keys: its own, then the sampler's.
std::vector<io::KeySpec> with_sampler_keys(std::vector<io::KeySpec> keys) {
  for (auto& k : gibbs_sampling_key_specs()) keys.push_back(std::move(k));
  return keys;
}

const CommittorProblemRegistrar double_well_entry(
    "double_well", {"1-D double well (x^2 - 1)^2, closed form by quadrature",
                    {{"problem.beta", "float", "3", "inverse temperature"},
                     {"problem.margin", "float", "0.2", "samples reach this far beyond A and B"}},
                    [](const io::KeyReader& c, const at::TensorOptions& o) {
                      return double_well_problem(c.get_double("problem.beta"), o,
                                                 c.get_double("problem.margin"));
                    }});
const CommittorProblemRegistrar spheres_entry(
    "spheres", {"free diffusion between concentric spheres in R^dim, closed form",
                {{"problem.dim", "int", "3", "dimension"},
                 {"problem.a", "float", "1", "radius of A = {|x| <= a}"},
                 {"problem.b", "float", "2", "radius of B = {|x| >= b}"},
                 {"problem.margin", "float", "0.05", "samples reach this far beyond A and B"}},
                [](const io::KeyReader& c, const at::TensorOptions& o) {
                  return concentric_spheres_problem(
                      c.get_int("problem.dim"), c.get_double("problem.a"),
                      c.get_double("problem.b"), o, c.get_double("problem.margin"));
                }});
const CommittorProblemRegistrar muller_brown_entry(
    "muller_brown",
    {"Mueller-Brown potential (2-D, or embedded in dim with a confining term), MALA samples",
     with_sampler_keys({{"problem.dim", "int", "2", "dimension (> 2: confined extra axes)"},
                        {"problem.beta", "float", "0.1", "inverse temperature"},
                        {"problem.confine", "float", "20", "stiffness of the extra axes"},
                        {"problem.radius", "float", "0.1", "radius of the basins A and B"}}),
     [](const io::KeyReader& c, const at::TensorOptions& o) {
       return muller_brown_problem(c.get_int("problem.dim"), c.get_double("problem.beta"),
                                   gibbs_sampling_from_config(c), o,
                                   c.get_double("problem.confine"), c.get_double("problem.radius"));
     }});
const CommittorProblemRegistrar ginzburg_landau_entry(
    "ginzburg_landau",
    {"extended Ginzburg-Landau chain of dim sites, MALA samples restricted to the transition",
     with_sampler_keys({{"problem.dim", "int", "50", "sites"},
                        {"problem.lambda", "float", "0.03", "coupling lambda"},
                        {"problem.beta", "float", "10", "inverse temperature"},
                        {"problem.set_level", "float", "0.5", "A: mean(u) <= -level; B: >= level"},
                        {"problem.margin", "float", "0.1", "samples reach this far beyond"}}),
     [](const io::KeyReader& c, const at::TensorOptions& o) {
       return ginzburg_landau_problem(c.get_int("problem.dim"), c.get_double("problem.lambda"),
                                      c.get_double("problem.beta"), gibbs_sampling_from_config(c),
                                      o, c.get_double("problem.set_level"),
                                      c.get_double("problem.margin"));
     }});

}  // namespace

}  // namespace enflow::variational

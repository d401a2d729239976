// Generalized gradient systems: overdamped particle, chemical kinetics with cosh
// dissipation, Fickian diffusion on a periodic grid.
#include <torch/torch.h>

#include <cmath>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/geometry/grid_operators.h"
#include "enflow/systems/gradient_system.h"
#include "enflow/systems/system_registry.h"
#include "systems/common.h"

namespace enflow::systems {

at::Tensor GeneralizedGradientSystem::conjugate(const at::Tensor& x) const {
  ad::EnergyFn S = [this](const ad::Var& v) { return entropy(v); };
  auto g = ad::gradient(S, x.detach());
  return dx() > 0 ? g / dx() : g;
}

double diffusion_start_code(const std::string& name) {
  if (name == "fourier") return 0;
  if (name == "polynomial") return 1;
  if (name == "discontinuous") return 2;
  if (name == "gaussian") return 3;
  throw std::invalid_argument("unknown diffusion start '" + name +
                              "' (known: fourier polynomial discontinuous gaussian)");
}

namespace detail {

namespace {

/// ẋ = −x: S = −|x|²/2, Ξ = |x*|²/2. Exact reference solution x e^{−dt}.
class Particle : public GeneralizedGradientSystem {
 public:
  Particle(int64_t dims, const Params& o)
      : dims_(dims),
        name_("particle-" + std::to_string(dims) + "d"),
        p_(merge_params(name_, {{"init_range", 2.0}}, o)) {}
  std::string name() const override { return name_; }
  int64_t dim() const override { return dims_; }
  Params parameters() const override { return p_; }
  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, dims_, name_);
    return -u;
  }
  /// x ~ U(−init_range, init_range)^dims.
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    const double r = p_.at("init_range");
    auto out = torch::empty({n, dims_}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < dims_; ++j) a[i][j] = rng.uniform(-r, r);
    return out;
  }
  at::Tensor reference_step(const at::Tensor& u, double dt) const override {
    check_state(u, dims_, name_);
    return u * std::exp(-dt);
  }
  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    check_state(u, dims_, name_);
    return {{"entropy", -0.5 * (u * u).sum(1)}};
  }
  ad::Var entropy(const ad::Var& x) const override {
    return ad::sum_per_sample(ad::square(x)) * -0.5;
  }
  at::Tensor dissipation(const at::Tensor&, const at::Tensor& xs) const override {
    return 0.5 * (xs * xs).sum(1);
  }
  at::Tensor dissipation_gradient(const at::Tensor&, const at::Tensor& xs) const override {
    return xs.clone();
  }

 private:
  int64_t dims_;
  std::string name_;
  Params p_;
};

/// Species [A, B, C, D]; reactions A + 2B ⇌ C (rate k1 both ways) and C + D ⇌ A (k2),
/// mass action, equilibrium at c = 1. S = −Σ c(ln c − 1), x* = −ln c,
/// Ξ = Σ_r 4 k_r √(c^α_r c^β_r) (cosh(γ_r·x*/2) − 1).
class ChemicalKinetics : public GeneralizedGradientSystem {
 public:
  explicit ChemicalKinetics(const Params& o)
      : p_(merge_params(
            "chemical-kinetics",
            {{"k1", 1.0}, {"k2", 1.0}, {"c_min", 0.5}, {"c_max", 2.0}, {"substeps", 10}}, o)) {
    substeps_ = positive_int_param(p_, "substeps", "chemical-kinetics");
    if (!(p_.at("c_min") > 0) || !(p_.at("c_max") >= p_.at("c_min")))
      throw std::invalid_argument("system 'chemical-kinetics': need 0 < c_min <= c_max");
    if (!(p_.at("k1") >= 0) || !(p_.at("k2") >= 0))
      throw std::invalid_argument("system 'chemical-kinetics': rates must be >= 0");
    alpha_ = torch::tensor({1., 2., 0., 0., 0., 0., 1., 1.}, torch::kFloat64).view({2, 4});
    beta_ = torch::tensor({0., 0., 1., 0., 1., 0., 0., 0.}, torch::kFloat64).view({2, 4});
    gamma_ = beta_ - alpha_;
    k_ = torch::tensor({p_.at("k1"), p_.at("k2")}, torch::kFloat64);
  }
  std::string name() const override { return "chemical-kinetics"; }
  int64_t dim() const override { return 4; }
  Params parameters() const override { return p_; }
  at::Tensor time_derivative(const at::Tensor& c) const override {
    check_state(c, 4, name());
    auto lc = torch::log(c);
    auto fwd = torch::exp(torch::matmul(lc, alpha_.t()));  // [B, 2] = c^α
    auto bwd = torch::exp(torch::matmul(lc, beta_.t()));
    return torch::matmul((fwd - bwd) * k_, gamma_);
  }
  /// c_i ~ U(c_min, c_max).
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    auto out = torch::empty({n, 4}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < 4; ++j) a[i][j] = rng.uniform(p_.at("c_min"), p_.at("c_max"));
    return out;
  }
  /// RK4 with `substeps` sub-steps: the linear invariants are kept to rounding.
  at::Tensor reference_step(const at::Tensor& c, double dt) const override {
    check_state(c, 4, name());
    return rk4_substeps(*this, c, dt, substeps_);
  }
  std::map<std::string, at::Tensor> invariants(const at::Tensor& c) const override {
    check_state(c, 4, name());
    auto s = c.select(1, 0), b = c.select(1, 1), cc = c.select(1, 2), d = c.select(1, 3);
    return {{"entropy", -(c * (torch::log(c) - 1.0)).sum(1)},
            {"conserved_a_plus_c", s + cc},
            {"conserved_b_plus_2c_minus_2d", b + 2.0 * cc - 2.0 * d}};
  }
  ad::Var entropy(const ad::Var& x) const override {
    return -ad::sum_per_sample(x * (ad::log(x) - 1.0));
  }
  at::Tensor dissipation(const at::Tensor& c, const at::Tensor& xs) const override {
    auto lc = torch::log(c);
    auto w = torch::exp(0.5 * torch::matmul(lc, (alpha_ + beta_).t())) * k_;  // √(c^α c^β)
    return (4.0 * w * (torch::cosh(0.5 * torch::matmul(xs, gamma_.t())) - 1.0)).sum(1);
  }
  at::Tensor dissipation_gradient(const at::Tensor& c, const at::Tensor& xs) const override {
    auto lc = torch::log(c);
    auto w = torch::exp(0.5 * torch::matmul(lc, (alpha_ + beta_).t())) * k_;
    return torch::matmul(2.0 * w * torch::sinh(0.5 * torch::matmul(xs, gamma_.t())), gamma_);
  }

 private:
  Params p_;
  int64_t substeps_;
  at::Tensor alpha_, beta_, gamma_, k_;
};

/// c_t = D c_xx on a periodic grid: S = −Σ c(ln c − 1) dx, x* = −ln c,
/// Ξ = (D/2) Σ_i m_i ((x*_{i+1} − x*_i)/dx)² dx with the logarithmic mean
/// m_i = (c_{i+1} − c_i)/(ln c_{i+1} − ln c_i), so that (1/dx) ∂Ξ/∂x* = D D₂ c exactly.
/// Reference solver: the exact solution exp(dt·D·D₂) of the semi-discrete system.
class Diffusion : public GeneralizedGradientSystem {
 public:
  explicit Diffusion(const Params& o)
      : p_(merge_params("diffusion", {{"D", 3e-3}, {"length", 1.0}, {"points", 64}, {"start", 0}},
                        o)) {
    n_ = positive_int_param(p_, "points", "diffusion");
    if (n_ < 3) throw std::invalid_argument("system 'diffusion': points must be >= 3");
    if (!(p_.at("length") > 0) || !(p_.at("D") >= 0))
      throw std::invalid_argument("system 'diffusion': need length > 0 and D >= 0");
    const double s = p_.at("start");
    if (!(s == 0 || s == 1 || s == 2 || s == 3))
      throw std::invalid_argument(
          "system 'diffusion': start must be 0 (fourier), 1 (polynomial), 2 (discontinuous) "
          "or 3 (gaussian)");
    dx_ = p_.at("length") / static_cast<double>(n_);
    L_ = geometry::second_difference(n_, dx_);
  }
  std::string name() const override { return "diffusion"; }
  int64_t dim() const override { return n_; }
  double dx() const override { return dx_; }
  Params parameters() const override { return p_; }
  at::Tensor time_derivative(const at::Tensor& c) const override {
    check_state(c, n_, name());
    return p_.at("D") * torch::matmul(c, L_.t());
  }
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    const auto start = static_cast<DiffusionStart>(static_cast<int>(p_.at("start")));
    auto out = torch::empty({n, n_}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
      // Draw every shape's numbers so that each start type uses the same stream.
      double ca[5], sa[5];
      for (int k = 0; k < 5; ++k) {
        ca[k] = rng.uniform(-0.08, 0.08);
        sa[k] = rng.uniform(-0.08, 0.08);
      }
      const double amp = rng.uniform(0.5, 1.5), centre = rng.uniform(0, 1),
                   width = rng.uniform(0.2, 0.5);
      for (int64_t j = 0; j < n_; ++j) {
        const double x = static_cast<double>(j) / static_cast<double>(n_);  // in [0, 1)
        double c = 1.0;
        switch (start) {
          case DiffusionStart::kFourier:
            for (int k = 0; k < 5; ++k)
              c += ca[k] * std::cos(2 * M_PI * (k + 1) * x) +
                   sa[k] * std::sin(2 * M_PI * (k + 1) * x);
            break;
          case DiffusionStart::kPolynomial:  // periodic, C¹: 16 x²(1 − x)²
            c = 0.5 + amp * 16.0 * x * x * (1 - x) * (1 - x);
            break;
          case DiffusionStart::kDiscontinuous: {
            const double z = x - centre - std::floor(x - centre);
            c = 0.5 + (z < width ? amp : 0.0);
            break;
          }
          case DiffusionStart::kGaussianSpike: {
            const double z = x - centre - std::round(x - centre);
            c = 0.1 + amp * std::exp(-z * z / (2 * 0.05 * 0.05));
            break;
          }
        }
        a[i][j] = c;
      }
    }
    return out;
  }
  at::Tensor reference_step(const at::Tensor& c, double dt) const override {
    check_state(c, n_, name());
    auto E = torch::matrix_exp(L_ * (dt * p_.at("D")));
    return torch::matmul(c, E.t());
  }
  std::map<std::string, at::Tensor> invariants(const at::Tensor& c) const override {
    check_state(c, n_, name());
    return {{"entropy", -(c * (torch::log(c) - 1.0)).sum(1) * dx_}, {"mass", c.sum(1) * dx_}};
  }
  ad::Var entropy(const ad::Var& x) const override {
    return -ad::sum_per_sample(x * (ad::log(x) - 1.0)) * dx_;
  }
  /// Logarithmic mean of neighbours, (b − a)/(ln b − ln a) = m·y/atanh(y) with
  /// m = (a + b)/2, y = (b − a)/(b + a): accurate also for close values.
  at::Tensor log_mean(const at::Tensor& c) const {
    auto cn = c.roll(-1, 1);
    auto m = 0.5 * (c + cn);
    auto y = (cn - c) / (cn + c);
    auto zero = y == 0;
    auto safe = torch::where(zero, torch::ones_like(y), y);
    return torch::where(zero, m, m * safe / torch::atanh(safe));
  }
  at::Tensor dissipation(const at::Tensor& c, const at::Tensor& xs) const override {
    auto g = (xs.roll(-1, 1) - xs) / dx_;
    return 0.5 * p_.at("D") * (log_mean(c) * g * g).sum(1) * dx_;
  }
  at::Tensor dissipation_gradient(const at::Tensor& c, const at::Tensor& xs) const override {
    auto flux = log_mean(c) * (xs.roll(-1, 1) - xs) / dx_;  // at i + 1/2
    return p_.at("D") * (flux.roll(1, 1) - flux) / dx_;
  }

 private:
  Params p_;
  int64_t n_;
  double dx_;
  at::Tensor L_;
};

const Protocol kChoice{50, 50, 0.1, 0.0, 0.8, "enflow choice"};

const SystemRegistrar particle_1d_reg("particle-1d",
                                      {"a damped particle in 1-D (generalized gradient dynamics)",
                                       [](const Params& o) {
                                         return std::make_unique<Particle>(1, o);
                                       },
                                       {{"", kChoice}}});
const SystemRegistrar particle_2d_reg("particle-2d",
                                      {"a damped particle in 2-D (generalized gradient dynamics)",
                                       [](const Params& o) {
                                         return std::make_unique<Particle>(2, o);
                                       },
                                       {{"", kChoice}}});
const SystemRegistrar chemical_kinetics_reg(
    "chemical-kinetics", {"mass-action chemical kinetics (generalized gradient dynamics)",
                          [](const Params& o) { return std::make_unique<ChemicalKinetics>(o); },
                          {{"", {50, 100, 0.05, 0.0, 0.8, "enflow choice"}}}});
const SystemRegistrar diffusion_reg("diffusion",
                                    {"diffusion on a periodic grid (generalized gradient dynamics)",
                                     [](const Params& o) { return std::make_unique<Diffusion>(o); },
                                     {{"", {50, 100, 0.2, 0.0, 0.8, "enflow choice"}}}});

}  // namespace

}  // namespace detail

}  // namespace enflow::systems

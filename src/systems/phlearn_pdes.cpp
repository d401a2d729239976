// The 1-D pseudo-Hamiltonian PDEs of Eidnes & Lye (J. Comput. Phys. 2024, PyPI `phlearn`):
// KdV–Burgers and Benjamin–Bona–Mahony with viscosity and an external force,
//
//   L u_t = ∂ₓ δH/δu + ν uₓₓ + f(x),   L = I (KdV–Burgers) or I − ∂ₓ² (BBM),
//
// on periodic grids, H = ∫ (a₂/2 u² + a₃/6 u³ + k/2 uₓ²) dx. KdV–Burgers: a₂ = 0, a₃ = −η,
// k = γ², so u_t = −η u uₓ − γ² uₓₓₓ + ν uₓₓ + f (the sign convention of phlearn's code).
// BBM: a₂ = a₃ = −1, k = 0, so u_t − uₓₓt = −uₓ − u uₓ + ν uₓₓ + f. Their protocols'
// defaults: KdV–Burgers on [0, 20), η = 6, γ = 1, ν = 0.3, f = 0.6 sin(4πx/20); BBM on
// [0, 50), ν = 1, f = sin(4πx/50); 100 points each.
//
// Reference solver: Furihata's discrete variational derivative g(u, v) (central D for ∂ₓ,
// D₂ for ∂ₓ², forward differences in H), L (v − u)/Δt = D g(u, v) + ν D₂ (u + v)/2 + f,
// solved by Newton. Since L⁻¹D is skew, H(v) − H(u) = Δt Δx g·L⁻¹(ν D₂ ū + f): with ν = 0
// and f = 0 the energy is kept to the Newton tolerance; the mass Σu Δx is kept always
// (every column of D and D₂ sums to zero, Σ f = 0 on the grid, and 1ᵀL⁻¹ = 1ᵀ).
#include <torch/torch.h>

#include <cmath>

#include "enflow/geometry/grid_operators.h"
#include "enflow/systems/system_registry.h"
#include "systems/common.h"

namespace enflow::systems::detail {

namespace {

constexpr int64_t kMaxPhlearnPoints = 4096;  // dense Newton Jacobians: 128 MB per state

struct PhlearnShape {
  double a2, a3, k;  // energy density a₂/2 u² + a₃/6 u³ + k/2 uₓ²
  double lhs;        // L = I − lhs ∂ₓ²
};

class PhlearnPde : public System {
 public:
  PhlearnPde(std::string name, Params p, PhlearnShape (*shape)(const Params&))
      : name_(std::move(name)), p_(std::move(p)), s_(shape(p_)) {
    n_ = positive_int_param(p_, "points", name_);
    if (n_ < 5 || n_ > kMaxPhlearnPoints)
      throw std::invalid_argument("system '" + name_ + "': points must be in [5, " +
                                  std::to_string(kMaxPhlearnPoints) + "]");
    if (!(p_.at("length") > 0))
      throw std::invalid_argument("system '" + name_ + "': length must be positive");
    if (!(p_.at("nu") >= 0)) throw std::invalid_argument("system '" + name_ + "': nu must be >= 0");
    if (!(p_.at("newton_tol") > 0))
      throw std::invalid_argument("system '" + name_ + "': newton_tol must be positive");
    dx_ = p_.at("length") / static_cast<double>(n_);
    D1_ = geometry::central_difference(n_, dx_);
    D2_ = geometry::second_difference(n_, dx_);
    auto Dp = geometry::forward_difference(n_, dx_);
    Q_ = torch::matmul(Dp.t(), Dp);  // Σ (D⁺u)² = uᵀ Q u
    auto I = torch::eye(n_, torch::kFloat64);
    L_ = I - s_.lhs * D2_;
    const double L = p_.at("length"), waves = p_.at("force_waves");
    auto x = torch::arange(n_, torch::kFloat64) * dx_;
    force_ = p_.at("force") * torch::sin(2.0 * M_PI * waves / L * x);  // [n]
  }

  std::string name() const override { return name_; }
  int64_t dim() const override { return n_; }
  double dx() const override { return dx_; }
  Params parameters() const override { return p_; }

  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, n_, name_);
    auto rhs = torch::matmul(dvd(u, u), D1_.t()) + p_.at("nu") * torch::matmul(u, D2_.t()) +
               force_.unsqueeze(0);
    return torch::linalg_solve(L_, rhs.t()).t();
  }

  at::Tensor reference_step(const at::Tensor& u, double dt) const override {
    check_state(u, n_, name_);
    torch::NoGradGuard no_grad;
    auto u0 = u.detach();
    const double nu = p_.at("nu");
    // r(v) = L(v − u) − Δt [D g(u, v) + ν D₂ (u + v)/2 + f]; ∂g/∂v = diag(c) − k/2 D₂.
    auto residual = [&](const at::Tensor& v) {
      return torch::matmul(v - u0, L_.t()) -
             dt * (torch::matmul(dvd(u0, v), D1_.t()) +
                   (0.5 * nu) * torch::matmul(u0 + v, D2_.t()) + force_.unsqueeze(0));
    };
    auto Jconst = L_ - dt * (torch::matmul(D1_, -0.5 * s_.k * D2_) + 0.5 * nu * D2_);
    const double tol = p_.at("newton_tol") * std::max(1.0, u0.abs().max().item<double>());
    return reference_newton(
        residual,
        [&](const at::Tensor& v) {
          auto c = 0.5 * s_.a2 + (s_.a3 / 6.0) * (u0 + 2.0 * v);  // [B, n]
          return Jconst.unsqueeze(0) - dt * D1_.unsqueeze(0) * c.unsqueeze(1);
        },
        u0 + dt * time_derivative(u0), tol, name_);  // explicit Euler guess
  }

  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    check_state(u, n_, name_);
    return {{"energy", energy(u)}, {"mass", u.sum(1) * dx_}};
  }
  /// f(x) for KdV–Burgers; for BBM the force of u_t = ... is L⁻¹f (the system's f acts on
  /// L u_t), which is what a model of du/dt adds.
  at::Tensor external_force() const override {
    return s_.lhs == 0 ? force_ : torch::linalg_solve(L_, force_.unsqueeze(1)).squeeze(1);
  }

 protected:
  std::string name_;
  Params p_;
  PhlearnShape s_;
  int64_t n_ = 0;
  double dx_ = 0;

  /// A soliton-pair initial state: Σ amplitude(c)·sech²(width(c)·z), z the periodic distance
  /// to a centre at L·U(0, 1), c ~ U(lo, hi) per soliton (phlearn's samplers).
  template <class Amplitude, class Width>
  at::Tensor soliton_pairs(int64_t n, uint64_t seed, double lo, double hi, Amplitude amplitude,
                           Width width) const {
    Rng rng(seed);
    const double L = p_.at("length");
    auto out = torch::zeros({n, n_}, torch::kFloat64);
    auto a = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
      for (int s = 0; s < 2; ++s) {
        const double c = rng.uniform(lo, hi), d = L * rng.uniform();
        for (int64_t j = 0; j < n_; ++j) {
          const double x = dx_ * static_cast<double>(j);
          const double z = x - d - L * std::round((x - d) / L);
          const double sech = 1.0 / std::cosh(width(c) * z);
          a[i][j] += amplitude(c) * sech * sech;
        }
      }
    }
    return out;
  }

 private:
  at::Tensor D1_, D2_, Q_, L_, force_;

  /// H(u) = Δx Σ (a₂/2 u² + a₃/6 u³) + k/2 Δx uᵀQu → [B].
  at::Tensor energy(const at::Tensor& u) const {
    auto local = (0.5 * s_.a2) * u.pow(2) + (s_.a3 / 6.0) * u.pow(3);
    auto grad = (torch::matmul(u, Q_) * u).sum(1);
    return local.sum(1) * dx_ + (0.5 * s_.k * dx_) * grad;
  }
  /// g(u, v) with H(v) − H(u) = Δx g·(v − u) exactly.
  at::Tensor dvd(const at::Tensor& u, const at::Tensor& v) const {
    return (0.5 * s_.a2) * (u + v) + (s_.a3 / 6.0) * (u * u + u * v + v * v) -
           (0.5 * s_.k) * torch::matmul(u + v, D2_.t());
  }
};

Params phlearn_params(const std::string& name, Params defaults, const Params& overrides) {
  defaults.insert({{"newton_tol", 1e-13}, {"force_waves", 2}});
  return merge_params(name, defaults, overrides);
}

class KdVBurgers : public PhlearnPde {
 public:
  explicit KdVBurgers(const Params& o)
      : PhlearnPde("kdv-burgers",
                   phlearn_params("kdv-burgers",
                                  {{"eta", 6.0},
                                   {"gamma", 1.0},
                                   {"nu", 0.3},
                                   {"force", 0.6},
                                   {"length", 20.0},
                                   {"points", 100}},
                                  o),
                   [](const Params& p) {
                     if (p.at("eta") == 0)
                       throw std::invalid_argument("system 'kdv-burgers': eta must be non-zero");
                     return PhlearnShape{0.0, -p.at("eta"), p.at("gamma") * p.at("gamma"), 0.0};
                   }) {}
  /// Two solitons (6/η)·2κ² sech²(κ z), κ ~ U(0.5, 2) (phlearn's KdV sampler).
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    const double eta = p_.at("eta");
    return soliton_pairs(
        n, seed, 0.5, 2.0, [eta](double k) { return 12.0 / eta * k * k; },
        [](double k) { return k; });
  }
};

class Bbm : public PhlearnPde {
 public:
  explicit Bbm(const Params& o)
      : PhlearnPde("bbm",
                   phlearn_params(
                       "bbm", {{"nu", 1.0}, {"force", 1.0}, {"length", 50.0}, {"points", 100}}, o),
                   [](const Params&) {
                     return PhlearnShape{-1.0, -1.0, 0.0, 1.0};
                   }) {}
  /// Two solitary waves 3(c − 1) sech²(½√(1 − 1/c) z), speed c ~ U(1, 4) (phlearn's BBM
  /// sampler).
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    return soliton_pairs(
        n, seed, 1.0, 4.0, [](double c) { return 3.0 * (c - 1.0); },
        [](double c) { return 0.5 * std::sqrt(1.0 - 1.0 / c); });
  }
};

// Protocols: phlearn's training data are 200 pairs at Δt = 0.02; "long" keeps whole series
// (t ∈ [0, 5]) for long-term checks (enflow's choice).
const SystemRegistrar kdv_burgers_reg(
    "kdv-burgers", {"KdV-Burgers with viscosity and an external force on a periodic grid (phlearn)",
                    [](const Params& o) { return std::make_unique<KdVBurgers>(o); },
                    {{"phlearn", {200, 1, 0.02, 0.0, 0.8, "Eidnes & Lye 2024: 200 pairs, dt 0.02"}},
                     {"long", {20, 250, 0.02, 0.0, 0.8, "enflow choice: t in [0, 5]"}}}});

const SystemRegistrar bbm_reg(
    "bbm",
    {"Benjamin-Bona-Mahony with viscosity and an external force on a periodic grid (phlearn)",
     [](const Params& o) { return std::make_unique<Bbm>(o); },
     {{"phlearn", {200, 1, 0.02, 0.0, 0.8, "Eidnes & Lye 2024: 200 pairs, dt 0.02"}},
      {"long", {20, 250, 0.02, 0.0, 0.8, "enflow choice: t in [0, 5]"}}}});

}  // namespace

}  // namespace enflow::systems::detail

// Phase-field gradient flows on a periodic 2-D grid, with the energy
// H(u) = h² Σ_i (−a/2 u_i² + b/4 u_i⁴) + γ/2 h² Σ_i |D⁺u|²_i on [0, L) × [0, L·ny/nx), spacing
// h = L/nx on both axes (the second sum is −uᵀΔ_h u, summation by parts on the periodic grid):
//
//   cahn-hilliard-2d  u_t = Δ_h δH/δu   (G = Δ_h/h²: the energy never increases, mass kept)
//   allen-cahn-2d     u_t = −δH/δu      (G = −I/h²: the L² flow; the energy never increases)
//
// with ∇H = h² δH/δu. Furihata's discrete variational derivative scheme (v − u)/Δt = A g(u, v),
// A = Δ_h or −I, g(u, v) = −a/2 (u+v) + b/4 (u³ + u²v + uv² + v³) − γ/2 Δ_h (u+v), satisfies
// H(v) − H(u) = Δt h² ⟨g, A g⟩ ≤ 0 (and Σ (v − u) = 0 for A = Δ_h); Newton solves it. This file
// is both systems: energy, structure, initial states, reference solver, protocols, registration.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "enflow/geometry/grid_stencil.h"
#include "enflow/systems/system_registry.h"
#include "systems/common.h"

namespace enflow::systems::detail {

namespace {

// The energy's quadratic form is a dense [n, n] matrix (ad::quadratic), so the grid stays
// small: 64 × 64 at most (134 MB). Larger grids need a matrix-free energy.
constexpr int64_t kMaxPhaseFieldPoints = 4096;
// Dense Newton Jacobians [chunk, n, n] are solved in chunks of at most this many entries.
constexpr int64_t kPhaseFieldJacobianEntries = int64_t{1} << 24;

/// The outer operator A of u_t = A δH/δu.
enum class PhaseFieldFlow { kCahnHilliard, kAllenCahn };

class PhaseField2d : public EnergySystem {
 public:
  PhaseField2d(std::string name, PhaseFieldFlow flow, const Params& defaults, const Params& o)
      : name_(std::move(name)),
        flow_(flow),
        p_(merge_params(name_, defaults, o)),
        grid_({16, 16}, 1.0),
        laplacian_(grid_) {
    const std::string& who = name_;
    nx_ = positive_int_param(p_, "nx", who);
    ny_ = positive_int_param(p_, "ny", who);
    if (nx_ < 3 || ny_ < 3 || nx_ * ny_ > kMaxPhaseFieldPoints)
      throw std::invalid_argument("system '" + who + "': nx, ny >= 3 and nx * ny <= " +
                                  std::to_string(kMaxPhaseFieldPoints));
    for (const char* k : {"length", "gamma", "b"})
      if (!(p_.at(k) > 0) || !std::isfinite(p_.at(k)))
        throw std::invalid_argument("system '" + who + "': " + k + " must be positive");
    if (!(p_.at("newton_tol") > 0))
      throw std::invalid_argument("system '" + who + "': newton_tol must be positive");
    h_ = p_.at("length") / static_cast<double>(nx_);
    grid_ = geometry::PeriodicGrid({ny_, nx_}, h_);
    laplacian_ = geometry::GridStencil::laplacian(grid_);
    L_ = laplacian_.matrix();  // [n, n], float64
    const auto I = torch::eye(nx_ * ny_, torch::kFloat64);
    A_ = flow_ == PhaseFieldFlow::kCahnHilliard ? L_ : -I;
  }

  std::string name() const override { return name_; }
  int64_t dim() const override { return nx_ * ny_; }
  double dx() const override { return h_; }
  std::vector<int64_t> grid() const override { return {ny_, nx_}; }
  Params parameters() const override { return p_; }
  at::Tensor structure() const override { return A_ / (h_ * h_); }

  ad::Var energy(const ad::Var& u) const override {
    const double a = p_.at("a"), b = p_.at("b"), g = p_.at("gamma"), area = h_ * h_;
    return ad::sum_per_sample(ad::square(u) * (-0.5 * a) + ad::pow(u, 4) * (0.25 * b)) * area +
           ad::quadratic(u, L_) * (-0.5 * g * area);
  }

  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, dim(), name());
    const double a = p_.at("a"), b = p_.at("b"), g = p_.at("gamma");
    return outer(-a * u + b * u * u * u - g * lap(u));
  }

  /// u₀ ~ U(−init_amplitude, init_amplitude) at every grid point (the 1-D DGNet protocol).
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    const double A = p_.at("init_amplitude");
    auto out = torch::empty({n, dim()}, torch::kFloat64);
    auto acc = out.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < dim(); ++j) acc[i][j] = rng.uniform(-A, A);
    return out;
  }

  at::Tensor reference_step(const at::Tensor& u, double dt) const override {
    check_state(u, dim(), name());
    torch::NoGradGuard no_grad;
    const int64_t n = dim();
    const int64_t chunk = std::max<int64_t>(1, kPhaseFieldJacobianEntries / (n * n));
    std::vector<at::Tensor> parts;
    for (int64_t s = 0; s < u.size(0); s += chunk)
      parts.push_back(newton(u.narrow(0, s, std::min(chunk, u.size(0) - s)).detach(), dt));
    return torch::cat(parts, 0);
  }

  std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const override {
    check_state(u, dim(), name());
    if (flow_ == PhaseFieldFlow::kAllenCahn) return {{"energy", energy(ad::Var(u)).a()}};
    return {{"energy", energy(ad::Var(u)).a()}, {"mass", u.sum(1) * (h_ * h_)}};
  }

 private:
  at::Tensor lap(const at::Tensor& u) const {
    return laplacian_.apply(u.reshape({u.size(0), ny_, nx_})).reshape(u.sizes());
  }
  at::Tensor outer(const at::Tensor& g) const {
    return flow_ == PhaseFieldFlow::kCahnHilliard ? lap(g) : -g;
  }
  at::Tensor dvd(const at::Tensor& u, const at::Tensor& v) const {
    const double a = p_.at("a"), b = p_.at("b"), g = p_.at("gamma");
    auto u2 = u * u, v2 = v * v;
    return (-0.5 * a) * (u + v) + (0.25 * b) * (u2 * u + u2 * v + u * v2 + v2 * v) -
           (0.5 * g) * lap(u + v);
  }

  // Newton on r(v) = v − u − Δt A g(u, v) with the analytic Jacobian
  // I − Δt A (diag(∂g/∂v) − γ/2 Δ_h), from an explicit Euler guess, polished once below
  // the tolerance; throws rather than return an unconverged step.
  at::Tensor newton(const at::Tensor& u0, double dt) const {
    const int64_t n = dim();
    const double a = p_.at("a"), b = p_.at("b"), g = p_.at("gamma");
    auto Jconst = torch::eye(n, torch::kFloat64) + (0.5 * g * dt) * torch::matmul(A_, L_);
    auto v = u0 + dt * outer(dvd(u0, u0));
    const double tol = p_.at("newton_tol") * std::max(1.0, u0.abs().max().item<double>());
    const int max_it = 50;
    double res = 0;
    int it = 0, polish = 0;
    for (; it <= max_it; ++it) {
      auto r = v - u0 - dt * outer(dvd(u0, v));
      res = r.abs().max().item<double>();
      if (!std::isfinite(res)) break;
      if (res <= tol && polish++ >= 1) break;
      if (it == max_it) break;
      auto c = -0.5 * a + (0.25 * b) * (u0 * u0 + 2.0 * u0 * v + 3.0 * v * v);  // [B, n]
      auto J = Jconst.unsqueeze(0) - dt * A_.unsqueeze(0) * c.unsqueeze(1);     // A diag(c)
      v = v - torch::linalg_solve(J, r.unsqueeze(-1)).squeeze(-1);
    }
    if (!(std::isfinite(res) && res <= tol)) {
      std::ostringstream s;
      s << name_ << " reference step: Newton did not converge after " << it
        << " iterations (residual " << res << ", tolerance " << tol << "); reduce dt";
      throw std::runtime_error(s.str());
    }
    return v;
  }

  std::string name_;
  PhaseFieldFlow flow_;
  Params p_;
  int64_t nx_ = 16, ny_ = 16;
  double h_ = 1.0;
  geometry::PeriodicGrid grid_;
  geometry::GridStencil laplacian_;
  at::Tensor L_;  ///< Δ_h as a dense [n, n] matrix (energy and Newton Jacobian)
  at::Tensor A_;  ///< the outer operator: Δ_h (Cahn–Hilliard) or −I (Allen–Cahn)
};

Params phase_field_defaults(double gamma, double init_amplitude) {
  return {{"gamma", gamma},
          {"a", 1.0},
          {"b", 1.0},
          {"length", 1.0},
          {"nx", 16},
          {"ny", 16},
          {"init_amplitude", init_amplitude},
          {"newton_tol", 1e-13}};
}

const SystemRegistrar cahn_hilliard_2d_reg(
    "cahn-hilliard-2d",
    {"Cahn-Hilliard on a periodic 2-D grid (ny x nx, row-major states; energy never increases, "
     "mass kept)",
     [](const Params& o) {
       return std::make_unique<PhaseField2d>("cahn-hilliard-2d", PhaseFieldFlow::kCahnHilliard,
                                             phase_field_defaults(0.002, 0.05), o);
     },
     {{"", {20, 100, 5e-4, 0.0, 0.8, "enflow choice: 16 x 16, t in [0, 0.05]"}}}});

// Allen–Cahn: γ = ε² = 0.01 resolves the interface (ε = 0.1 ≈ 1.6 h at 16 × 16); states
// U(−0.5, 0.5) at every point, t ∈ [0, 5]: the grid-scale noise is smoothed first, then the
// double well acts.
const SystemRegistrar allen_cahn_2d_reg(
    "allen-cahn-2d",
    {"Allen-Cahn (L2 gradient flow) on a periodic 2-D grid (ny x nx, row-major states; energy "
     "never increases)",
     [](const Params& o) {
       return std::make_unique<PhaseField2d>("allen-cahn-2d", PhaseFieldFlow::kAllenCahn,
                                             phase_field_defaults(0.01, 0.5), o);
     },
     {{"", {20, 100, 0.05, 0.0, 0.8, "enflow choice: 16 x 16, t in [0, 5]"}}}});

}  // namespace

}  // namespace enflow::systems::detail

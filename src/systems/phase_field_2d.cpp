// PDEs u_t = A δH/δu on a periodic 2-D grid with a polynomial energy
// H(u) = h² Σ_i (c₂/2 u_i² + c₃/6 u_i³ + c₄/4 u_i⁴) + k/2 h² Σ_i |D⁺u|²_i on [0, L) × [0, L·ny/nx),
// spacing h = L/nx on both axes (the second sum is −uᵀΔ_h u, summation by parts):
//
//   cahn-hilliard-2d     A = Δ_h, c₂ = −a, c₄ = b, k = γ   (energy never increases, mass kept)
//   allen-cahn-2d        A = −I, the same H                (the L² flow; energy never increases)
//   zakharov-kuznetsov   A = D_x, c₃ = −α, k = −β          (the 2-D KdV: energy and mass kept)
//
// with ∇H = h² δH/δu, so G = A/h². Furihata's discrete variational derivative scheme
// (v − u)/Δt = A g(u, v), g(u, v) = c₂/2 (u+v) + c₃/6 (u² + uv + v²) + c₄/4 (u³ + u²v + uv² + v³)
// − k/2 Δ_h (u+v), satisfies H(v) − H(u) = Δt h² ⟨g, A g⟩: ≤ 0 for A = Δ_h or −I, 0 for the
// skew D_x; Σ (v − u) = 0 unless A = −I. Newton solves it. This file is the three systems:
// energy, structure, initial states, reference solver, protocols, registration.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

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
enum class PhaseFieldFlow { kCahnHilliard, kAllenCahn, kZakharovKuznetsov };

/// The energy density c₂/2 u² + c₃/6 u³ + c₄/4 u⁴ and the gradient weight k, from the
/// system's parameters.
struct GridPdeEnergy {
  double c2 = 0, c3 = 0, c4 = 0, k = 0;
};

class PhaseField2d : public EnergySystem {
 public:
  PhaseField2d(std::string name, PhaseFieldFlow flow, const Params& defaults, const Params& o,
               GridPdeEnergy (*energy_of)(const Params&))
      : name_(std::move(name)),
        flow_(flow),
        p_(merge_params(name_, defaults, o)),
        e_(energy_of(p_)),
        grid_({16, 16}, 1.0),
        laplacian_(grid_) {
    const std::string& who = name_;
    nx_ = positive_int_param(p_, "nx", who);
    ny_ = positive_int_param(p_, "ny", who);
    if (nx_ < 3 || ny_ < 3 || nx_ * ny_ > kMaxPhaseFieldPoints)
      throw std::invalid_argument("system '" + who + "': nx, ny >= 3 and nx * ny <= " +
                                  std::to_string(kMaxPhaseFieldPoints));
    if (!(p_.at("length") > 0) || !std::isfinite(p_.at("length")))
      throw std::invalid_argument("system '" + who + "': length must be positive");
    if (!(p_.at("newton_tol") > 0))
      throw std::invalid_argument("system '" + who + "': newton_tol must be positive");
    h_ = p_.at("length") / static_cast<double>(nx_);
    grid_ = geometry::PeriodicGrid({ny_, nx_}, h_);
    laplacian_ = geometry::GridStencil::laplacian(grid_);
    L_ = laplacian_.matrix();  // [n, n], float64
    outer_ = flow_ == PhaseFieldFlow::kCahnHilliard ? laplacian_
             : flow_ == PhaseFieldFlow::kAllenCahn
                 ? geometry::GridStencil::identity(grid_) * -1.0
                 : geometry::GridStencil::central_difference(grid_, 0);
    A_ = outer_.matrix();
  }

  std::string name() const override { return name_; }
  int64_t dim() const override { return nx_ * ny_; }
  double dx() const override { return h_; }
  std::vector<int64_t> grid() const override { return {ny_, nx_}; }
  Params parameters() const override { return p_; }
  at::Tensor structure() const override { return A_ / (h_ * h_); }

  ad::Var energy(const ad::Var& u) const override {
    const double area = h_ * h_;
    // Only the terms the system has: the others would add exact zeros at a cost.
    std::vector<ad::Var> local;
    if (e_.c2 != 0) local.push_back(ad::square(u) * (0.5 * e_.c2));
    if (e_.c3 != 0) local.push_back(ad::pow(u, 3) * (e_.c3 / 6.0));
    if (e_.c4 != 0) local.push_back(ad::pow(u, 4) * (0.25 * e_.c4));
    auto density = local.front();
    for (size_t i = 1; i < local.size(); ++i) density = density + local[i];
    return ad::sum_per_sample(density) * area + ad::quadratic(u, L_) * (-0.5 * e_.k * area);
  }

  at::Tensor time_derivative(const at::Tensor& u) const override {
    check_state(u, dim(), name());
    return outer(e_.c2 * u + (0.5 * e_.c3) * u * u + e_.c4 * u * u * u - e_.k * lap(u));
  }

  /// Phase fields: u₀ ~ U(−init_amplitude, init_amplitude) at every grid point (the 1-D DGNet
  /// protocol). Zakharov–Kuznetsov: two lumps −(12/α)κ² sech²(κ r), κ ~ U(0.5, 1.5), centres
  /// uniform on the domain, r the periodic distance (enflow's choice).
  at::Tensor sample_initial(int64_t n, uint64_t seed) const override {
    Rng rng(seed);
    auto out = torch::zeros({n, dim()}, torch::kFloat64);
    auto acc = out.accessor<double, 2>();
    if (flow_ != PhaseFieldFlow::kZakharovKuznetsov) {
      const double A = p_.at("init_amplitude");
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < dim(); ++j) acc[i][j] = rng.uniform(-A, A);
      return out;
    }
    const double Lx = h_ * static_cast<double>(nx_), Ly = h_ * static_cast<double>(ny_);
    const double amp = -12.0 / p_.at("alpha");
    auto periodic = [](double d, double L) { return d - L * std::round(d / L); };
    for (int64_t i = 0; i < n; ++i) {
      for (int lump = 0; lump < 2; ++lump) {
        const double k = rng.uniform(0.5, 1.5), x0 = Lx * rng.uniform(), y0 = Ly * rng.uniform();
        for (int64_t r = 0; r < ny_; ++r)
          for (int64_t c = 0; c < nx_; ++c) {
            const double dx = periodic(h_ * static_cast<double>(c) - x0, Lx);
            const double dy = periodic(h_ * static_cast<double>(r) - y0, Ly);
            const double sech = 1.0 / std::cosh(k * std::sqrt(dx * dx + dy * dy));
            acc[i][r * nx_ + c] += amp * k * k * sech * sech;
          }
      }
    }
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
    return outer_.apply(g.reshape({g.size(0), ny_, nx_})).reshape(g.sizes());
  }
  at::Tensor dvd(const at::Tensor& u, const at::Tensor& v) const {
    auto u2 = u * u, v2 = v * v, uv = u * v;
    auto g = (0.5 * e_.c2) * (u + v) - (0.5 * e_.k) * lap(u + v);
    if (e_.c3 != 0) g = g + (e_.c3 / 6.0) * (u2 + uv + v2);
    if (e_.c4 != 0) g = g + (0.25 * e_.c4) * (u2 * u + u2 * v + u * v2 + v2 * v);
    return g;
  }

  // Newton on r(v) = v − u − Δt A g(u, v) with the analytic Jacobian
  // I − Δt A (diag(∂g/∂v) − γ/2 Δ_h), from an explicit Euler guess, polished once below
  // the tolerance; throws rather than return an unconverged step.
  at::Tensor newton(const at::Tensor& u0, double dt) const {
    const int64_t n = dim();
    auto Jconst = torch::eye(n, torch::kFloat64) + (0.5 * e_.k * dt) * torch::matmul(A_, L_);
    const double tol = p_.at("newton_tol") * std::max(1.0, u0.abs().max().item<double>());
    return reference_newton(
        [&](const at::Tensor& v) { return v - u0 - dt * outer(dvd(u0, v)); },
        [&](const at::Tensor& v) {
          auto c = 0.5 * e_.c2 + (e_.c3 / 6.0) * (u0 + 2.0 * v) +
                   (0.25 * e_.c4) * (u0 * u0 + 2.0 * u0 * v + 3.0 * v * v);  // ∂g/∂v's diagonal
          return Jconst.unsqueeze(0) - dt * A_.unsqueeze(0) * c.unsqueeze(1);  // A diag(c)
        },
        u0 + dt * outer(dvd(u0, u0)), tol, name_);
  }

  std::string name_;
  PhaseFieldFlow flow_;
  Params p_;
  GridPdeEnergy e_;
  int64_t nx_ = 16, ny_ = 16;
  double h_ = 1.0;
  geometry::PeriodicGrid grid_;
  geometry::GridStencil laplacian_;
  geometry::GridStencil outer_{grid_};
  at::Tensor L_;  ///< Δ_h as a dense [n, n] matrix (energy and Newton Jacobian)
  at::Tensor A_;  ///< the outer operator as a dense matrix (Newton Jacobian, structure)
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

/// −a/2 u² + b/4 u⁴ + γ/2 |∇u|², a double well for a, b > 0.
GridPdeEnergy phase_field_energy(const Params& p) {
  for (const char* k : {"gamma", "b"})
    if (!(p.at(k) > 0) || !std::isfinite(p.at(k)))
      throw std::invalid_argument(std::string("phase-field system: ") + k + " must be positive");
  return {-p.at("a"), 0.0, p.at("b"), p.at("gamma")};
}

/// −α/6 u³ − β/2 |∇u|² (the 1-D kdv system's convention, α = −6, β = 1: u_t = 6uuₓ + (Δu)ₓ).
GridPdeEnergy zakharov_kuznetsov_energy(const Params& p) {
  if (p.at("alpha") == 0 || !std::isfinite(p.at("alpha")) || !std::isfinite(p.at("beta")))
    throw std::invalid_argument("system 'zakharov-kuznetsov': alpha must be finite and non-zero");
  return {0.0, -p.at("alpha"), 0.0, -p.at("beta")};
}

const SystemRegistrar cahn_hilliard_2d_reg(
    "cahn-hilliard-2d",
    {"Cahn-Hilliard on a periodic 2-D grid (ny x nx, row-major states; energy never increases, "
     "mass kept)",
     [](const Params& o) {
       return std::make_unique<PhaseField2d>("cahn-hilliard-2d", PhaseFieldFlow::kCahnHilliard,
                                             phase_field_defaults(0.002, 0.05), o,
                                             phase_field_energy);
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
                                             phase_field_defaults(0.01, 0.5), o,
                                             phase_field_energy);
     },
     {{"", {20, 100, 0.05, 0.0, 0.8, "enflow choice: 16 x 16, t in [0, 5]"}}}});

// The 2-D KdV-type Hamiltonian PDE (enflow's choice of form and protocol, decision 89):
// [0, 10)² on 16 × 16, t ∈ [0, 1].
const SystemRegistrar zakharov_kuznetsov_reg(
    "zakharov-kuznetsov",
    {"Zakharov-Kuznetsov (2-D KdV) on a periodic 2-D grid (ny x nx, row-major states; energy "
     "and mass kept)",
     [](const Params& o) {
       return std::make_unique<PhaseField2d>("zakharov-kuznetsov",
                                             PhaseFieldFlow::kZakharovKuznetsov,
                                             Params{{"alpha", -6.0},
                                                    {"beta", 1.0},
                                                    {"length", 10.0},
                                                    {"nx", 16},
                                                    {"ny", 16},
                                                    {"newton_tol", 1e-13}},
                                             o, zakharov_kuznetsov_energy);
     },
     {{"", {20, 100, 0.01, 0.0, 0.8, "enflow choice: 16 x 16 on [0, 10)^2, t in [0, 1]"}}}});

}  // namespace

}  // namespace enflow::systems::detail

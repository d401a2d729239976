// Structure operators on 2-D and 3-D periodic grids, applied by stencil and by FFT: ∂x, ∂y,
// ∂z and ∂xΔ are skew, the Laplacian is symmetric negative semi-definite, both are exact on
// trigonometric polynomials (the discrete symbols sin(kh)/h and −4 sin²(kh/2)/h²) and second
// order against the true derivatives, and the difference operators conserve mass.
#include "enflow/geometry/grid_stencil.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "enflow/geometry/grid_structure.h"
#include "enflow/geometry/structure.h"
#include "support/errors.h"

namespace enflow::geometry {
namespace {

using torch::Tensor;

double max_abs(const Tensor& t) { return t.abs().max().item<double>(); }
Tensor dot_per_sample(const Tensor& a, const Tensor& b) { return (a * b).flatten(1).sum(1); }

struct Named {
  const char* name;
  GridStencil op;
};

std::vector<PeriodicGrid> grids() {
  return {PeriodicGrid({12, 16}, {0.5, 0.3}), PeriodicGrid({5, 6, 4}, {0.7, 0.4, 0.9})};
}

std::vector<Named> skew_operators(const PeriodicGrid& g) {
  std::vector<Named> ops{
      {"dx", GridStencil::central_difference(g, 0)},
      {"dy", GridStencil::central_difference(g, 1)},
      {"dx_laplacian", GridStencil::central_difference(g, 0) * GridStencil::laplacian(g)}};
  if (g.axes() == 3) ops.push_back({"dz", GridStencil::central_difference(g, 2)});
  return ops;
}

Tensor random_field(const PeriodicGrid& g, int64_t batch) {
  auto shape = g.sizes;
  shape.insert(shape.begin(), batch);
  return torch::randn(shape, torch::kFloat64);
}

TEST(GridStencils, DifferencesAreSkewAndConserveMassByStencilAndFft) {
  torch::manual_seed(1);
  for (const auto& g : grids()) {
    auto a = random_field(g, 4), b = random_field(g, 4);
    for (const auto& [name, op] : skew_operators(g)) {
      for (auto m : {StencilMethod::kStencil, StencilMethod::kFft}) {
        const double skew =
            max_abs(dot_per_sample(a, op.apply(b, m)) + dot_per_sample(op.apply(a, m), b)) /
            max_abs(dot_per_sample(a, op.apply(b, m)));
        const double mass =
            max_abs(op.apply(b, m).flatten(1).sum(1)) / max_abs(b.flatten(1).abs().sum(1));
        std::printf("%lld-D %s (%s): skew rel %.2e, mass rel %.2e\n",
                    static_cast<long long>(g.axes()), name,
                    m == StencilMethod::kFft ? "fft" : "stencil", skew, mass);
        EXPECT_LT(skew, 1e-12) << name;
        EXPECT_LT(mass, 1e-12) << name;
      }
      EXPECT_LT(max_abs(op.matrix() + op.matrix().t()), 1e-12) << name;
      EXPECT_LT(max_abs(op.transpose().apply(a) + op.apply(a)), 1e-12) << name;
    }
  }
}

TEST(GridStencils, LaplacianIsNegativeSemiDefiniteAndConservesMass) {
  torch::manual_seed(2);
  for (const auto& g : grids()) {
    auto L = GridStencil::laplacian(g);
    auto u = random_field(g, 64);
    const double top_form =
        (dot_per_sample(u, L.apply(u)) / dot_per_sample(u, u)).max().item<double>();
    auto M = L.matrix();
    const double top_eig = torch::linalg::eigvalsh(M, "L").max().item<double>();
    const double symmetric = max_abs(M - M.t());
    const double symbol_imag = max_abs(torch::imag(L.symbol(torch::dtype(torch::kFloat64))));
    const double symbol_top =
        torch::real(L.symbol(torch::dtype(torch::kFloat64))).max().item<double>();
    const double mass = max_abs(L.apply(u).flatten(1).sum(1)) / max_abs(u.flatten(1).abs().sum(1));
    std::printf(
        "%lld-D laplacian: max <u,Lu>/<u,u> %.3e, max eigenvalue %.2e, |L - L^T| %.1e, "
        "symbol imag %.1e max real %.2e, mass rel %.2e\n",
        static_cast<long long>(g.axes()), top_form, top_eig, symmetric, symbol_imag, symbol_top,
        mass);
    EXPECT_LE(top_form, 1e-12);
    EXPECT_LT(top_eig, 1e-10);
    EXPECT_EQ(symmetric, 0.0);
    EXPECT_LT(symbol_imag, 1e-12);
    EXPECT_LT(symbol_top, 1e-12);
    EXPECT_LT(mass, 1e-12);
  }
}

TEST(GridStencils, ExactOnTrigonometricPolynomialsAndSecondOrder) {
  // u = sin(kx x + ky y) on [0, 2π)²: the discrete operators act by their symbols exactly,
  // and approach the true derivatives at second order.
  for (int64_t n : {32, 64}) {
    const double h = 2 * M_PI / static_cast<double>(n);
    const double hy = 2 * M_PI / static_cast<double>(n / 2);
    PeriodicGrid g({n / 2, n}, {hy, h});
    auto y = (torch::arange(n / 2, torch::kFloat64) * hy).unsqueeze(1);
    auto x = (torch::arange(n, torch::kFloat64) * h).unsqueeze(0);
    const double kx = 3, ky = 2;
    auto phase = kx * x + ky * y;
    auto u = torch::sin(phase).unsqueeze(0);
    auto c = torch::cos(phase).unsqueeze(0);
    const double sx = std::sin(kx * h) / h, sy = std::sin(ky * hy) / hy;
    const double lam =
        -4 * std::pow(std::sin(kx * h / 2) / h, 2) - 4 * std::pow(std::sin(ky * hy / 2) / hy, 2);
    auto dx = GridStencil::central_difference(g, 0), dy = GridStencil::central_difference(g, 1);
    auto L = GridStencil::laplacian(g);
    for (auto m : {StencilMethod::kStencil, StencilMethod::kFft}) {
      const double ex = max_abs(dx.apply(u, m) - sx * c);
      const double ey = max_abs(dy.apply(u, m) - sy * c);
      const double el = max_abs(L.apply(u, m) - lam * u);
      const double exl = max_abs((dx * L).apply(u, m) - lam * sx * c);
      EXPECT_LT(std::max({ex, ey, el}), 1e-12);
      EXPECT_LT(exl, 1e-11 * std::abs(lam * sx));
      // Truncation: |sin(kh)/h − k| ≤ k³h²/6, |−4 sin²(kh/2)/h² + k²| ≤ k⁴h²/12 per axis.
      const double tx = max_abs(dx.apply(u, m) - kx * c);
      const double tl = max_abs(L.apply(u, m) + (kx * kx + ky * ky) * u);
      const double bx = std::pow(kx, 3) * h * h / 6;
      const double bl = (std::pow(kx, 4) * h * h + std::pow(ky, 4) * hy * hy) / 12;
      std::printf(
          "n=%lld (%s): exact symbols dx %.1e dy %.1e lap %.1e dx_lap %.1e; truncation "
          "dx %.3e (bound %.3e) lap %.3e (bound %.3e)\n",
          static_cast<long long>(n), m == StencilMethod::kFft ? "fft" : "stencil", ex, ey, el, exl,
          tx, bx, tl, bl);
      EXPECT_LE(tx, bx * (1 + 1e-9));
      EXPECT_LE(tl, bl * (1 + 1e-9));
    }
  }
}

TEST(GridStencils, StructuresApplyMatrixFreeToGridsAndFlatStates) {
  torch::manual_seed(3);
  auto o = StructureOptions().grid({6, 8}).grid_spacing({0.5, 0.25});
  auto g = torch::randn({3, 6, 8}, torch::kFloat64);
  for (const char* name :
       {"grid_dx", "grid_dy", "grid_laplacian", "grid_dx_laplacian", "grid_gradient_flow"}) {
    auto G = make_structure(name, o);
    auto dense = torch::matmul(g.reshape({3, 48}), G->matrix().t()).reshape({3, 6, 8});
    EXPECT_LT(max_abs(G->apply(g) - dense), 1e-12) << name;
    EXPECT_LT(max_abs(G->apply(g.reshape({3, 48})) - dense.reshape({3, 48})), 1e-12) << name;
  }
  EXPECT_TRUE(make_structure("grid_dx_laplacian", o)->conservative());
  EXPECT_FALSE(make_structure("grid_laplacian", o)->conservative());
  // An empty grid is the 1-D grid of the state: grid_laplacian is then D2.
  auto L1 = make_structure("grid_laplacian", StructureOptions().dim(7).dx(0.2))->matrix();
  EXPECT_LT(max_abs(L1 - second_difference(7, 0.2)), 1e-12);
  auto D1 = make_structure("grid_dx", StructureOptions().dim(7).dx(0.2))->matrix();
  EXPECT_LT(max_abs(D1 - central_difference(7, 0.2)), 1e-12);
}

TEST(GridStencils, BadGridsAndStatesGiveClearErrors) {
  PeriodicGrid g({8, 8}, 0.1);
  const auto small = testing::error_of<std::invalid_argument>([] { PeriodicGrid({8, 2}, 0.1); });
  const auto spacing = testing::error_of<std::invalid_argument>([] {
    PeriodicGrid({8, 8}, {0.1, 0.2, 0.3});
  });
  const auto dz =
      testing::error_of<std::invalid_argument>([&] { GridStencil::central_difference(g, 2); });
  const auto shape = testing::error_of<std::invalid_argument>([&] {
    GridStencil::laplacian(g).apply(torch::zeros({2, 8, 7}));
  });
  const auto mix = testing::error_of<std::invalid_argument>([&] {
    GridStencil::laplacian(g) * GridStencil::laplacian(PeriodicGrid({8, 8}, 0.2));
  });
  const auto big = testing::error_of<std::invalid_argument>([] {
    GridStencil::laplacian(PeriodicGrid({128, 128}, 0.1)).matrix();
  });
  const auto dy1 = testing::error_of<std::invalid_argument>(
      [] { make_structure("grid_dy", StructureOptions().dim(8)); });
  for (const auto* m : {&small, &spacing, &dz, &shape, &mix, &big, &dy1})
    std::printf("error: %s\n", m->c_str());
  EXPECT_NE(small.find("at least 3 points"), std::string::npos);
  EXPECT_NE(spacing.find("one spacing, or one per axis"), std::string::npos);
  EXPECT_NE(dz.find("no direction z"), std::string::npos);
  EXPECT_NE(shape.find("[..., 8, 8]"), std::string::npos);
  EXPECT_NE(mix.find("different grids"), std::string::npos);
  EXPECT_NE(big.find("too large"), std::string::npos);
  EXPECT_NE(dy1.find("structure 'grid_dy'"), std::string::npos);
}

}  // namespace
}  // namespace enflow::geometry

// The learned dissipation potential has the structure of generalized gradient dynamics for
// every parameter value: Ξ(x, 0) = 0, ∂Ξ/∂x*(x, 0) = 0, Ξ ≥ 0, convex in x*; and its
// gradient is the derivative of its value.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/geometry/dissipation.h"
#include "enflow/systems/gradient_system.h"
#include "support/hessian.h"

namespace enflow::geometry {
namespace {

using testing::hessians;
using testing::randomize;
using testing::relative_min_eigenvalue;

TEST(Dissipation, LearnedPotentialHasTheStructureForRandomParameters) {
  for (int64_t kernel : {0, 3}) {
    const int64_t d = kernel ? 8 : 3;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      LearnedDissipationImpl xi(nn::PartiallyConvexOptions(d, d).hidden({6, 5}).kernel(kernel));
      xi.to(torch::kFloat64);
      randomize(xi, 1.5, seed);
      auto x = 2.0 * torch::randn({32, d}, torch::kFloat64);
      auto zero = torch::zeros_like(x);
      EXPECT_LE(xi.potential(x, zero, false).abs().max().item<double>(), 1e-12);
      EXPECT_LE(xi.gradient(x, zero, false).abs().max().item<double>(), 1e-12);
      auto xs = 3.0 * torch::randn({32, d}, torch::kFloat64);
      auto v = xi.potential(x, xs, false);
      EXPECT_GE(v.min().item<double>(), -1e-12 * std::max(1.0, v.abs().max().item<double>()));
      EXPECT_GT(v.max().item<double>(), 1e-8);  // not identically zero
      auto H = hessians([&](const torch::Tensor& y) { return xi.potential(x, y, true); }, xs);
      EXPECT_GE(relative_min_eigenvalue(H).min().item<double>(), -1e-12);
      // gradient() is ∂Ξ/∂x* of potential(), and ⟨x*, ∂Ξ/∂x*⟩ ≥ Ξ (convexity, Ξ(x, 0) = 0).
      auto leaf = xs.clone().requires_grad_(true);
      auto g_ad = torch::autograd::grad({xi.potential(x, leaf, true).sum()}, {leaf})[0];
      auto g = xi.gradient(x, xs, false);
      EXPECT_LE((g - g_ad).abs().max().item<double>(),
                1e-12 * std::max(1.0, g.abs().max().item<double>()));
      EXPECT_GE(((xs * g).sum(1) - v).min().item<double>(),
                -1e-12 * std::max(1.0, v.abs().max().item<double>()));
    }
  }
}

TEST(Dissipation, GradientStaysDifferentiableInTheConjugate) {
  LearnedDissipationImpl xi(nn::PartiallyConvexOptions(2, 2).hidden({4}));
  xi.to(torch::kFloat64);
  auto x = torch::randn({5, 2}, torch::kFloat64);
  auto w = torch::randn({5, 2}, torch::kFloat64).requires_grad_(true);
  auto xs = 2.0 * w;  // a non-leaf x*, as x* = ∂S/∂x is in training
  auto g = xi.gradient(x, xs, true);
  auto dw = torch::autograd::grad({g.pow(2).sum()}, {w}, {}, false, false, true)[0];
  ASSERT_TRUE(dw.defined());
  EXPECT_GT(dw.abs().max().item<double>(), 0.0);
}

TEST(Dissipation, AnalyticWrapperKeepsTheSystemsPotential) {
  auto sys = systems::make_system("chemical-kinetics");
  auto* g = dynamic_cast<systems::GeneralizedGradientSystem*>(sys.get());
  ASSERT_NE(g, nullptr);
  AnalyticDissipationImpl xi(
      "chemical-kinetics",
      [g](const at::Tensor& x, const at::Tensor& s) { return g->dissipation(x, s); },
      [g](const at::Tensor& x, const at::Tensor& s) { return g->dissipation_gradient(x, s); });
  auto c = 0.5 + torch::rand({16, 4}, torch::kFloat64);
  EXPECT_LE(xi.potential(c, torch::zeros_like(c), false).abs().max().item<double>(), 1e-15);
  EXPECT_LE(xi.gradient(c, torch::zeros_like(c), false).abs().max().item<double>(), 1e-15);
  auto xs = torch::randn({16, 4}, torch::kFloat64);
  EXPECT_GE(xi.potential(c, xs, false).min().item<double>(), 0.0);
  EXPECT_THROW(xi.potential(c, torch::zeros({16, 3}), false), std::invalid_argument);
  EXPECT_THROW(AnalyticDissipationImpl("none", nullptr, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::geometry

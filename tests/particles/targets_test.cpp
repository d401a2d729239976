#include "enflow/particles/targets.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/particles/discrepancy.h"
#include "enflow/particles/toy_data.h"
#include "support/threads.h"

namespace enflow::particles {
namespace {

/// ∫ exp(log p) over [−a, a]² by the midpoint rule on an n × n grid.
double grid_mass(const LogDensity& log_p, double a, int64_t n) {
  auto c = (torch::arange(n, torch::kDouble) + 0.5) * (2 * a / n) - a;
  auto mesh = torch::meshgrid({c, c}, "ij");
  auto pts = torch::stack({mesh[0].reshape({-1}), mesh[1].reshape({-1})}, 1);
  return torch::exp(log_p(pts)).sum().item<double>() * std::pow(2 * a / n, 2);
}

TEST(ParticleTargets, DensitiesAreNormalized) {
  testing::OneThread one_thread;
  auto o = torch::TensorOptions().dtype(torch::kDouble);
  auto g =
      gaussian_target(torch::tensor({0.5, -0.5}, o), torch::tensor({{1.0, 0.3}, {0.3, 0.6}}, o));
  auto m = mixture_target(torch::tensor({1.0, 3.0}, o), torch::tensor({{-2.0, 0.0}, {1.5, 1.0}}, o),
                          torch::tensor({0.7, 1.1}, o));
  auto b = banana_target(1.0, 0.3, o);
  // Smooth, fast-decaying integrands: the midpoint rule is accurate far beyond 1e-6.
  EXPECT_NEAR(grid_mass(g.log_prob, 9, 300), 1.0, 1e-6);
  EXPECT_NEAR(grid_mass(m.log_prob, 10, 300), 1.0, 1e-6);
  EXPECT_NEAR(grid_mass(b.log_prob, 12, 400), 1.0, 1e-6);
}

TEST(ParticleTargets, ExactSamplesHaveTheStatedMoments) {
  testing::OneThread one_thread;
  torch::manual_seed(4);
  auto o = torch::TensorOptions().dtype(torch::kDouble);
  for (const auto& t :
       {mixture_target(torch::tensor({1.0, 2.0}, o), torch::tensor({{-2.0, 1.0}, {2.0, 0.0}}, o),
                       torch::tensor({1.0, 0.5}, o)),
        banana_target(1.5, 0.3, o),
        gaussian_target(torch::tensor({1.0, 2.0}, o),
                        torch::tensor({{2.0, -0.5}, {-0.5, 1.0}}, o))}) {
    auto x = t.sample(200000);
    auto mean = x.mean(0);
    auto c = x - mean;
    auto cov = torch::matmul(c.t(), c) / x.size(0);
    // Sampling error of 2e5 draws is ~0.01 for these scales; bound 0.05.
    EXPECT_LT((mean - t.mean).abs().max().item<double>(), 0.05) << t.name;
    EXPECT_LT((cov - t.cov).abs().max().item<double>(), 0.05 * t.cov.abs().max().item<double>())
        << t.name;
    // The log-density's score points the same way as autograd of the sample-free formula.
    EXPECT_TRUE(torch::isfinite(t.log_prob(x.narrow(0, 0, 100))).all().item<bool>());
  }
}

TEST(ParticleTargets, EnergyDistanceSeparatesLaws) {
  testing::OneThread one_thread;
  torch::manual_seed(5);
  auto a = torch::randn({800, 2}, torch::kDouble), b = torch::randn({1500, 2}, torch::kDouble);
  auto shifted = torch::randn({800, 2}, torch::kDouble) + 0.5;
  // n i.i.d. points of the law score E|Y − Y'|/n on average (E|Y − Y'| = √π for N(0, I₂)).
  EXPECT_NEAR(energy_distance(a, b), std::sqrt(M_PI) / 800, 0.005);
  EXPECT_GT(energy_distance(shifted, b), 0.1);
  // N(μ, 1) points against N(0, 1) in 1-D: 2E|X−Y| − E|X−X'| − E|Y−Y'|, X − Y ~ N(μ, 2).
  const double mu = 0.5, s = std::sqrt(2.0);
  const double e_xy = s * std::sqrt(2 / M_PI) * std::exp(-mu * mu / (2 * s * s)) +
                      mu * std::erf(mu / (s * std::sqrt(2.0)));
  const double exact = 2 * e_xy - 2 * 2 / std::sqrt(M_PI);
  auto x = torch::randn({4000, 1}, torch::kDouble) + mu,
       y = torch::randn({4000, 1}, torch::kDouble);
  EXPECT_NEAR(energy_distance(x, y), exact, 0.02);
  // Blocked sums agree with the plain ones; a known E|Y − Y'| is used as given.
  EXPECT_NEAR(mean_distance(x, y), torch::cdist(x, y).mean().item<double>(), 1e-12);
  EXPECT_NEAR(energy_distance(x, y, mean_distance_within(y)), energy_distance(x, y), 1e-12);
  EXPECT_THROW(energy_distance(a, torch::randn({10, 3})), std::invalid_argument);
}

TEST(ParticleTargets, KernelDensityIsNormalized) {
  testing::OneThread one_thread;
  torch::manual_seed(6);
  auto s = torch::randn({50, 1}, torch::kDouble);
  auto grid = torch::linspace(-10, 10, 4001, torch::kDouble).unsqueeze(1);
  const double mass = kernel_density(s, grid, 0.3).sum().item<double>() * (20.0 / 4000);
  EXPECT_NEAR(mass, 1.0, 1e-8);
  const double h = silverman_bandwidth(torch::randn({10000}, torch::kDouble));
  EXPECT_NEAR(h, 0.9 * std::pow(10000.0, -0.2), 0.01);
}

TEST(ToyDensities, LogDensitiesIntegrateToOne) {
  testing::OneThread one_thread;
  auto o = torch::TensorOptions().dtype(torch::kDouble);
  for (const auto& name : toy_density_names()) {
    auto t = toy_density(name, o);
    // The checkerboard is piecewise constant on a grid of 2 × 2 squares: a midpoint grid whose
    // cells tile those squares integrates it exactly.
    EXPECT_NEAR(grid_mass(t.log_prob, 5, 150), 1.0, 1e-6) << name;
  }
  EXPECT_THROW(toy_density("spirals", o), std::invalid_argument);
}

TEST(ToyDensities, SamplesLieOnTheSupportAndMatchTheEntropy) {
  testing::OneThread one_thread;
  torch::manual_seed(7);
  auto o = torch::TensorOptions().dtype(torch::kDouble);
  auto cb = toy_density("checkerboard", o);
  auto x = cb.sample(20000);
  EXPECT_TRUE(torch::isfinite(cb.log_prob(x)).all().item<bool>());
  // Each of the 8 squares gets 1/8 of the mass: counts within 5 binomial standard deviations.
  auto cell = (torch::floor(x.select(1, 0) / 2) + 2) * 4 + (torch::floor(x.select(1, 1) / 2) + 2);
  auto counts = torch::bincount(cell.to(torch::kLong), {}, 16);
  EXPECT_EQ((counts > 0).sum().item<int64_t>(), 8);
  const double sd = std::sqrt(20000 * (1 / 8.0) * (7 / 8.0));
  EXPECT_LT((counts.index({counts > 0}) - 2500).abs().max().item<double>(), 5 * sd);
  for (const char* name : {"eight_gaussians", "checkerboard"}) {
    auto t = toy_density(name, o);
    auto [h, se] = entropy_estimate(t, 40000);
    EXPECT_NEAR(h, t.entropy_closed_form, 5 * se + 1e-3) << name;
  }
  EXPECT_NEAR(toy_density("eight_gaussians", o).entropy_closed_form, 2.838, 1e-3);
  EXPECT_NEAR(toy_density("checkerboard", o).entropy_closed_form, 3.466, 1e-3);
}

}  // namespace
}  // namespace enflow::particles

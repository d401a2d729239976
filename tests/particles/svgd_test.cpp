#include "enflow/particles/svgd.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/particles/targets.h"
#include "support/threads.h"

namespace enflow::particles {
namespace {

TEST(Svgd, DirectionMatchesKernelDerivativesByAutograd) {
  testing::OneThread one_thread;
  torch::manual_seed(3);
  const int64_t n = 7, d = 3;
  auto x = torch::randn({n, d}, torch::kDouble);
  auto s = torch::randn({n, d}, torch::kDouble);
  const double h = 1.7;
  auto phi = svgd_direction(x, s, h);
  // φ(xᵢ) = 1/n Σⱼ k(xⱼ, xᵢ) sⱼ + ∇_{xⱼ} k(xⱼ, xᵢ), the kernel differentiated by autograd.
  for (int64_t i = 0; i < n; ++i) {
    auto expect = torch::zeros({d}, torch::kDouble);
    for (int64_t j = 0; j < n; ++j) {
      auto xj = x[j].clone().requires_grad_(true);
      auto k = torch::exp(-(xj - x[i]).pow(2).sum() / h);
      auto dk = torch::autograd::grad({k}, {xj})[0];
      expect += k.detach() * s[j] + dk;
    }
    EXPECT_LT((phi[i] - expect / n).abs().max().item<double>(), 1e-14);
  }
}

TEST(Svgd, MedianBandwidthOfKnownPoints) {
  testing::OneThread one_thread;
  // Squared distances 1, 4, 9: median 4, h = 4 / log(4).
  auto x = torch::tensor({0.0, 1.0, 3.0}, torch::kDouble).unsqueeze(1);
  EXPECT_NEAR(median_bandwidth(x), 4 / std::log(4.0), 1e-14);
  EXPECT_THROW(median_bandwidth(x.narrow(0, 0, 1)), std::invalid_argument);
}

TEST(Svgd, RecoversOneDimensionalGaussian) {
  testing::OneThread one_thread;
  torch::manual_seed(0);
  auto t = gaussian_target(torch::tensor({1.5}, torch::kDouble),
                           torch::tensor({{0.49}}, torch::kDouble));
  auto x0 = torch::randn({100, 1}, torch::kDouble) - 4;
  for (const char* opt : {"adagrad", "plain"}) {
    const auto rule = svgd_step_rule_from_string(opt, "svgd.optimizer");
    auto r = svgd(t.log_prob, x0,
                  SvgdOptions()
                      .iterations(500)
                      .step(rule == SvgdStepRule::kAdagrad ? 0.05 : 0.2)
                      .optimizer(rule));
    const double mean = r.particles.mean().item<double>();
    const double var = r.particles.var().item<double>();
    // Stated bounds: mean within 0.02 (0.03 σ), variance within 8% of 0.49 (SVGD's finite-n
    // variance deficit is ~3-6% here).
    EXPECT_NEAR(mean, 1.5, 0.02) << opt;
    EXPECT_NEAR(var / 0.49, 1.0, 0.08) << opt;
  }
}

TEST(Svgd, RecoversCorrelatedTwoDimensionalGaussian) {
  testing::OneThread one_thread;
  torch::manual_seed(1);
  auto cov = torch::tensor({{1.0, 0.6}, {0.6, 0.5}}, torch::kDouble);
  auto t = gaussian_target(torch::tensor({-1.0, 2.0}, torch::kDouble), cov);
  auto r = svgd(t.log_prob, torch::randn({100, 2}, torch::kDouble) * 0.5 + 3,
                SvgdOptions().iterations(600).step(0.05));
  auto mean = r.particles.mean(0);
  auto c = r.particles - mean;
  auto emp = torch::matmul(c.t(), c) / (r.particles.size(0) - 1);
  // Stated bounds: mean within 0.05, every covariance entry within 8% of the largest variance.
  EXPECT_LT((mean - t.mean).abs().max().item<double>(), 0.05);
  EXPECT_LT((emp - cov).abs().max().item<double>(), 0.08);
  EXPECT_EQ(r.direction_norm.size(), 600u);
  EXPECT_LT(r.direction_norm.back(), 0.05 * r.direction_norm.front());
}

TEST(Svgd, AnnealingScheduleRisesToOneInEachCycle) {
  EXPECT_DOUBLE_EQ(svgd_annealing(5, 0, 1, 1.0), 1.0);  // off
  EXPECT_DOUBLE_EQ(svgd_annealing(25, 100, 1, 1.0), 0.25);
  EXPECT_DOUBLE_EQ(svgd_annealing(25, 100, 2, 2.0), 0.25);  // half-way through cycle 1, squared
  EXPECT_DOUBLE_EQ(svgd_annealing(50, 100, 2, 1.0), 0.0);   // cycle 2 starts again at 0
  EXPECT_DOUBLE_EQ(svgd_annealing(100, 100, 2, 1.0), 1.0);
  EXPECT_THROW(svgd_annealing(1, 10, 0, 1.0), std::invalid_argument);
  EXPECT_THROW(svgd_annealing(1, -1, 1, 1.0), std::invalid_argument);
}

/// Largest |fraction of particles nearest each mode's centre - its weight|.
double mode_weight_error(const torch::Tensor& x, const torch::Tensor& means,
                         const torch::Tensor& w) {
  auto nearest = torch::cdist(x, means).argmin(1);
  auto frac = torch::bincount(nearest, {}, w.size(0)).to(torch::kDouble) / double(x.size(0));
  return (frac - w).abs().max().item<double>();
}

TEST(Svgd, AnnealingFindsTheWeightsOfSeparatedModes) {
  testing::OneThread one_thread;
  // Three modes 4-5 apart at sd 0.7, weights 0.5 / 0.3 / 0.2, particles from N(0, I): plain
  // SVGD keeps roughly the weights of the start (the kernel cannot move mass between
  // basins); with the driving term annealed in over the first half of the run (the shipped
  // config's schedule) the repulsion
  // first spreads the particles and every mode gets its share.
  torch::manual_seed(7);
  auto w = torch::tensor({0.5, 0.3, 0.2}, torch::kDouble);
  auto means = torch::tensor({{-2.0, -2.0}, {2.0, -1.0}, {0.0, 2.5}}, torch::kDouble);
  auto t = mixture_target(w, means, torch::full({3}, 0.7, torch::kDouble));
  auto x0 = torch::randn({200, 2}, torch::kDouble);
  const auto opts = SvgdOptions().iterations(2000).step(0.1);
  const double plain = mode_weight_error(svgd(t.log_prob, x0, opts).particles, means, w);
  auto annealed = svgd(t.log_prob, x0, SvgdOptions(opts).anneal(1000));
  const double err = mode_weight_error(annealed.particles, means, w);
  // Stated bounds: annealed within 0.08 of every weight (measured 0.04 here, 0.015-0.045 over
  // four seeds of the shipped config), plain off by more than 0.1 (measured 0.18; 0.15-0.27).
  EXPECT_LT(err, 0.08) << "annealed " << err;
  EXPECT_GT(plain, 0.1) << "plain " << plain;
  ASSERT_EQ(annealed.annealing.size(), 2000u);
  EXPECT_DOUBLE_EQ(annealed.annealing[499], 0.5);
  EXPECT_DOUBLE_EQ(annealed.annealing.back(), 1.0);
}

TEST(Svgd, RecordsRequestedSnapshots) {
  testing::OneThread one_thread;
  torch::manual_seed(2);
  auto t = gaussian_target(torch::zeros({1}, torch::kDouble), torch::ones({1, 1}, torch::kDouble));
  auto x0 = torch::randn({10, 1}, torch::kDouble);
  auto r = svgd(t.log_prob, x0, SvgdOptions().iterations(20).snapshots({0, 5, 20}));
  ASSERT_EQ(r.snapshot_iterations, (std::vector<int64_t>{0, 5, 20}));
  EXPECT_TRUE(r.snapshots[0].equal(x0));
  EXPECT_TRUE(r.snapshots[2].equal(r.particles));
}

TEST(Svgd, RejectsBadInput) {
  testing::OneThread one_thread;
  auto t = gaussian_target(torch::zeros({1}, torch::kDouble), torch::ones({1, 1}, torch::kDouble));
  auto x = torch::randn({10, 1}, torch::kDouble);
  EXPECT_THROW(svgd(t.log_prob, x.narrow(0, 0, 1), SvgdOptions()), std::invalid_argument);
  EXPECT_THROW(svgd_step_rule_from_string("adam", "svgd.optimizer"), std::invalid_argument);
  EXPECT_THROW(svgd(t.log_prob, x, SvgdOptions().step(-1)), std::invalid_argument);
  auto bad = x.clone();
  bad[3][0] = std::nan("");
  EXPECT_THROW(svgd(t.log_prob, bad, SvgdOptions()), std::invalid_argument);
  EXPECT_THROW(svgd_direction(x, x.narrow(0, 0, 5), 1.0), std::invalid_argument);
  // A step far too large for a fixed tiny bandwidth blows up: a clear error, not NaNs.
  auto steep =
      gaussian_target(torch::zeros({1}, torch::kDouble), torch::full({1, 1}, 1e-8, torch::kDouble));
  EXPECT_THROW(svgd(steep.log_prob, x,
                    SvgdOptions().optimizer(SvgdStepRule::kPlain).step(1e6).iterations(50)),
               std::runtime_error);
}

}  // namespace
}  // namespace enflow::particles

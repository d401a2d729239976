// Learning generalized gradient dynamics: central-difference targets are second-order
// accurate, L-BFGS refinement lowers the loss and never leaves it worse, and a small
// chemical-kinetics run learns the dynamics.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/learn/central_pairs.h"
#include "enflow/learn/lbfgs_refine.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/ggd.h"
#include "enflow/systems/generate.h"

namespace enflow::learn {
namespace {

// x(t) = x₀ e^{−t}, exact.
io::Dataset decay_dataset(int64_t S, int64_t T, double dt) {
  io::Dataset d;
  auto x0 = torch::linspace(0.5, 2.0, S, torch::kFloat64).unsqueeze(1);
  d.t = torch::arange(T, torch::kFloat64) * dt;
  d.states = (x0 * torch::exp(-d.t).unsqueeze(0)).unsqueeze(2);
  for (int64_t s = 0; s < S; ++s) d.train.push_back(s);
  return d;
}

TEST(GgdLearning, CentralDifferencePairsAreSecondOrderAccurate) {
  std::vector<double> err;
  for (double dt : {0.1, 0.05}) {
    auto d = decay_dataset(3, 40, dt);
    auto p = make_pairs_by("central", d, d.train, torch::kFloat64, torch::kCPU);
    ASSERT_EQ(p.size(), 3 * 38);
    // Exact derivative at u0 is −u0; the central difference is −u0·sinh(dt)/dt.
    auto e = (p.finite_difference() / p.u0 + 1.0).abs().max().item<double>();
    EXPECT_NEAR(e, std::sinh(dt) / dt - 1.0, 1e-12);
    auto f = make_pairs_by("forward", d, d.train, torch::kFloat64, torch::kCPU);
    EXPECT_GT((f.finite_difference() / f.u0 + 1.0).abs().max().item<double>(),
              10 * e);  // first order
    err.push_back(e);
  }
  EXPECT_NEAR(err[0] / err[1], 4.0, 0.1);
  auto d = decay_dataset(2, 2, 0.1);
  EXPECT_THROW(make_central_pairs(d, d.train, torch::kFloat64, torch::kCPU), std::invalid_argument);
  EXPECT_THROW(make_pairs_by("backward", d, d.train, torch::kFloat64, torch::kCPU),
               std::invalid_argument);
}

struct GgdChemistry : ::testing::Test {
  void SetUp() override {
    auto sys = systems::make_system("chemical-kinetics", {{"c_min", 0.2}, {"c_max", 1.5}});
    systems::Protocol p;
    p.series = 12;
    p.steps = 60;
    p.dt = 0.05;
    p.train_fraction = 0.75;
    data = systems::generate_dataset(*sys, p, 3);
    train = make_pairs_by("central", data, data.train, torch::kFloat64, torch::kCPU);
    test = make_pairs_by("central", data, data.test, torch::kFloat64, torch::kCPU);
    torch::manual_seed(0);
    auto o = models::ModelOptions().type("ggd").dim(4).ggd(
        models::GgdOptions().entropy_hidden({16, 16}).dissipation_hidden({16, 16}));
    model = models::make_model(o);
    model->to(torch::kFloat64);
  }
  // 300 Adam + 10 L-BFGS steps from seed 0; the test MSE must be below 1e-3 and below 1 %
  // of the variance of the observed rates (the MSE of predicting their mean).
  void expect_small_run_learns(const models::GgdOptions& g) {
    auto target = test.finite_difference();
    const double variance = (target - target.mean(0)).pow(2).mean().item<double>();
    torch::manual_seed(0);
    model = models::make_model(models::ModelOptions().type("ggd").dim(4).ggd(g));
    model->to(torch::kFloat64);
    learn::train(*model, train,
                 TrainOptions().lr(1e-2).batch(256).iterations(300).log_every(0).step(step));
    lbfgs_refine(*model, train, LbfgsOptions().iterations(10).max_iter(20).batch(400).step(step));
    const double mse = rate_mse(*model, test, step);
    EXPECT_LT(mse, 1e-3) << "variance " << variance;
    EXPECT_LT(mse, 0.01 * variance);
  }
  io::Dataset data;
  PairSet train, test;
  models::DynamicsModel model;
  models::StepOptions step = models::StepOptions().integrator("euler");
};

TEST_F(GgdChemistry, LbfgsLowersTheLossAndNeverLeavesItWorse) {
  const double before = rate_mse(*model, train, step);
  auto r =
      lbfgs_refine(*model, train, LbfgsOptions().iterations(5).max_iter(10).batch(300).step(step));
  EXPECT_LT(r.final_loss, r.initial_loss);
  EXPECT_LE(r.iterations, 5);
  EXPECT_GT(r.evaluations, r.iterations);
  EXPECT_LT(rate_mse(*model, train, step), before);
  EXPECT_THROW(lbfgs_refine(*model, train, LbfgsOptions().iterations(1).lr(0)),
               std::invalid_argument);
}

TEST_F(GgdChemistry, SmallRunLearnsTheDynamicsPrescribedEntropy) {
  // The entropy prescribed (the reference work's first variant), Ξ learned: both learned
  // with plain networks needs thousands of iterations (enflow reproduce ggd), too slow for CI.
  expect_small_run_learns(models::GgdOptions()
                              .entropy("system")
                              .system("chemical-kinetics")
                              .dissipation_hidden({16, 16}));
}

TEST_F(GgdChemistry, SmallRunLearnsBothPotentialsWithThePositiveStateOptions) {
  // Both potentials learned, with the ideal-mixture entropy term and Ξ reading ln c
  // (decision 40), on the same budget; plain networks reached only 2.2e-2 there.
  expect_small_run_learns(models::GgdOptions()
                              .entropy_hidden({16, 16})
                              .dissipation_hidden({16, 16})
                              .entropy_basis("ideal_mixture")
                              .x_features("log"));
}

}  // namespace
}  // namespace enflow::learn

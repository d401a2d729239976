// Multi-step (rollout) training (issue 28): windows stay inside their series, the loss of
// one explicit step is the one-step loss, and rollout training through the implicit
// discrete-gradient step lowers its loss while the learned energy stays conserved.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <memory>

#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "support/oscillator.h"

namespace enflow::learn {
namespace {

models::DynamicsModel model() {
  torch::manual_seed(0);
  auto m = models::make_model(models::ModelOptions().dim(2).hidden({16, 16}));
  m->to(torch::kFloat64);
  return m;
}

TEST(RolloutTraining, WindowsStayInsideTheirSeries) {
  auto d = testing::oscillator_dataset(3, 10, 0.1);
  std::vector<at::Tensor> x{d.states[0], d.states[1].narrow(0, 0, 6), d.states[2].narrow(0, 0, 3)};
  std::vector<at::Tensor> t{d.t, d.t.narrow(0, 0, 6), d.t.narrow(0, 0, 3)};
  io::set_ragged_series(d, x, t);
  const auto w = make_windows(d, {0, 1, 2}, 3, torch::kFloat64, torch::kCPU);
  EXPECT_EQ(w.size(), (10 - 3) + (6 - 3));  // series 2 (3 points) is too short for 3 steps
  EXPECT_EQ(w.steps(), 3);
  EXPECT_TRUE(torch::equal(w.states[7], d.states[1].narrow(0, 0, 4)));
  EXPECT_TRUE(torch::allclose(w.t.select(1, 3) - w.t.select(1, 0),
                              torch::full({w.size()}, 0.3, torch::kFloat64)));
  EXPECT_THROW(make_windows(d, {2}, 3, torch::kFloat64, torch::kCPU), std::invalid_argument);
}

TEST(RolloutTraining, OneExplicitStepIsTheOneStepLoss) {
  auto d = testing::oscillator_dataset(3, 12, 0.1);
  auto m = model();
  const auto step = models::StepOptions().integrator("rk2");
  const auto pairs = make_pairs(d, {0, 1, 2}, torch::kFloat64, torch::kCPU);
  const auto w = make_windows(d, {0, 1, 2}, 1, torch::kFloat64, torch::kCPU);
  const double one = rate_mse(*m, pairs, step);
  const double roll =
      rollout_loss(*m, w, torch::arange(w.size(), torch::kLong), step).item<double>();
  std::printf("one-step loss %.15e, rollout loss with K = 1 %.15e\n", one, roll);
  EXPECT_NEAR(roll, one, 1e-13 * one);
}

TEST(RolloutTraining, ThroughTheImplicitStepItLowersItsLossAndKeepsTheEnergy) {
  auto d = testing::oscillator_dataset(4, 20, 0.1);
  auto m = model();
  const auto step = models::StepOptions();  // discrete gradient
  auto w = std::make_shared<WindowSet>(make_windows(d, {0, 1, 2}, 5, torch::kFloat64, torch::kCPU));
  auto all = torch::arange(w->size(), torch::kLong);
  const double before = rollout_loss(*m, *w, all, step).item<double>();
  const auto pairs = make_pairs(d, {0, 1, 2}, torch::kFloat64, torch::kCPU);
  const auto rep =
      train(*m, pairs, TrainOptions().lr(3e-3).batch(16).iterations(150).log_every(0).windows(w));
  const double after = rollout_loss(*m, *w, all, step).item<double>();
  std::printf("rollout loss (5 implicit steps): %.4e before, %.4e after %lld iterations\n", before,
              after, static_cast<long long>(rep.iterations));
  EXPECT_LT(after, 0.1 * before);
  // The trained model still conserves its learned energy along its own implicit rollout.
  torch::NoGradGuard no_grad;
  auto path = models::rollout(*m, d.states[3].narrow(0, 0, 1), d.t, step);
  auto H = ad::energy(m->energy_fn(), path[0]);
  const double drift = ((H - H[0]).abs().max() / H.abs().max()).item<double>();
  std::printf("learned energy drift along 19 implicit steps: %.2e\n", drift);
  EXPECT_LT(drift, 1e-12);
}

}  // namespace
}  // namespace enflow::learn

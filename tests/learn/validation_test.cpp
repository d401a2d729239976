// A held-out check (issue 28): training scores validation pairs at each log, keeps the best
// parameters, and stops when patience runs out.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <memory>

#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "support/oscillator.h"

namespace enflow::learn {
namespace {

struct Split {
  PairSet train;
  std::shared_ptr<PairSet> validation;
};

// Few noisy training pairs and clean validation pairs: a large network over-fits the noise.
Split noisy_split() {
  auto data = testing::oscillator_dataset(4, 12, 0.1);
  auto gen = at::detail::createCPUGenerator(7);
  auto noisy = data;
  noisy.states = data.states + 0.05 * torch::randn(data.states.sizes(), gen,
                                                   torch::TensorOptions().dtype(torch::kFloat64));
  Split s{make_pairs(noisy, {0, 1}, torch::kFloat64, torch::kCPU),
          std::make_shared<PairSet>(make_pairs(data, {2, 3}, torch::kFloat64, torch::kCPU))};
  return s;
}

models::DynamicsModel model() {
  torch::manual_seed(0);
  auto m = models::make_model(models::ModelOptions().dim(2).hidden({64, 64}));
  m->to(torch::kFloat64);
  return m;
}

TEST(EarlyStopping, TheBestValidatedParametersAreKept) {
  auto s = noisy_split();
  auto m = model();
  const auto rep = train(
      *m, s.train,
      TrainOptions().lr(1e-2).batch(0).iterations(400).log_every(10).validation(s.validation));
  ASSERT_EQ(rep.logged_validation.size(), 40u);
  const double best = *std::min_element(rep.logged_validation.begin(), rep.logged_validation.end());
  EXPECT_EQ(rep.validation_loss, best);
  EXPECT_NEAR(rate_mse(*m, *s.validation, models::StepOptions()), best, 1e-12 * best);
  EXPECT_EQ(rep.logged_validation[rep.best_iteration / 10 - 1], best);
  EXPECT_FALSE(rep.stopped_early);
  EXPECT_LT(rep.best_iteration, 400);  // it over-fits: the last parameters are not the best
}

TEST(EarlyStopping, PatienceStopsARunThatNoLongerImproves) {
  auto s = noisy_split();
  auto m = model();
  const auto rep = train(*m, s.train,
                         TrainOptions()
                             .lr(1e-2)
                             .batch(0)
                             .iterations(5000)
                             .log_every(10)
                             .validation(s.validation)
                             .patience(5));
  EXPECT_TRUE(rep.stopped_early);
  EXPECT_LT(rep.iterations, 5000);
  EXPECT_EQ(rep.iterations, rep.best_iteration + 5 * 10);  // five logs without a better score
  EXPECT_NEAR(rate_mse(*m, *s.validation, models::StepOptions()), rep.validation_loss,
              1e-12 * rep.validation_loss);
}

}  // namespace
}  // namespace enflow::learn

#include "enflow/sampling/mala.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "support/errors.h"
#include "support/threads.h"

namespace enflow::sampling {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kDouble);

LogDensity standard_normal() {
  return [](const torch::Tensor& x) { return -0.5 * x.pow(2).sum(1); };
}

TEST(Mala, RegionRestrictsTheChainsToAHalfNormal) {
  testing::OneThread one_thread;
  torch::manual_seed(3);
  // N(0, 1) restricted to x > 0 is the half-normal: mean √(2/π), second moment 1.
  MalaChains chains(standard_normal(), torch::full({64, 1}, 0.5, kF64),
                    MalaOptions().step(0.5).burn_in(200).thin(4),
                    [](const torch::Tensor& x) { return x.select(1, 0) > 0; });
  chains.burn_in();
  std::vector<torch::Tensor> kept;
  for (int k = 0; k < 200; ++k) {
    chains.advance(4, /*adapt=*/false);
    kept.push_back(chains.states().clone());
  }
  auto x = torch::cat(kept);
  EXPECT_GT(x.min().item<double>(), 0.0);
  // ~ 12800 correlated draws: standard error of the mean ~ 0.01.
  EXPECT_NEAR(x.mean().item<double>(), std::sqrt(2 / M_PI), 0.04);
  EXPECT_NEAR(x.pow(2).mean().item<double>(), 1.0, 0.06);
}

TEST(Mala, BurnInAdaptsTheStepTowardsTheTargetAcceptance) {
  testing::OneThread one_thread;
  torch::manual_seed(5);
  MalaChains chains(standard_normal(), torch::zeros({128, 4}, kF64),
                    MalaOptions().step(1e-4).burn_in(400).target_acceptance(0.574));
  chains.burn_in();
  EXPECT_GT(chains.step(), 1e-2);  // grew from a step far too small
  EXPECT_NEAR(chains.advance(200, /*adapt=*/false), 0.574, 0.08);
}

TEST(Mala, BadOptionsAndStartsAreRefusedByName) {
  auto x0 = torch::zeros({4, 2}, kF64);
  EXPECT_NE(
      testing::error_of([&] { mala(standard_normal(), x0, MalaOptions().step(0)); }).find("step"),
      std::string::npos);
  EXPECT_NE(
      testing::error_of([&] { mala(standard_normal(), x0, MalaOptions().thin(0)); }).find("thin"),
      std::string::npos);
  EXPECT_NE(testing::error_of([&] {
              mala(standard_normal(), x0, MalaOptions().target_acceptance(1.0));
            }).find("target_acceptance"),
            std::string::npos);
  EXPECT_THROW(mala(standard_normal(), torch::zeros({4}, kF64), MalaOptions()),
               std::invalid_argument);
  LogDensity nowhere = [](const torch::Tensor& x) {
    return torch::full({x.size(0)}, -std::numeric_limits<double>::infinity(), x.options()) +
           0 * x.sum(1);
  };
  EXPECT_THROW(mala(nowhere, x0, MalaOptions()), std::runtime_error);
}

}  // namespace
}  // namespace enflow::sampling

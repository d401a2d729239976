// Periodic coordinates (issue 28): a spinning pendulum, whose angle grows without bound, is
// learned with model.angles; the energy is then 2π-periodic, so the model predicts the
// same pendulum a few turns further on, where a model without the declaration has no data.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "enflow/learn/trainer.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"

namespace enflow::models {
namespace {

// H = p²/2 + (1 − cos θ) with p0 ∈ [2.2, 2.8]: every series rotates (θ grows ~2.5 per unit
// time). Fine RK4 substeps; `turns` shifts θ by 2π·turns (the same physical states).
io::Dataset spinning_pendulum(int64_t S, int64_t T, double dt, uint64_t seed, int turns) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto o = torch::TensorOptions().dtype(torch::kFloat64);
  auto u = torch::stack(
      {(2 * torch::rand({S}, gen, o) - 1) * M_PI, 2.2 + 0.6 * torch::rand({S}, gen, o)}, 1);
  auto f = [](const at::Tensor& x) {
    return torch::stack({x.select(1, 1), -torch::sin(x.select(1, 0))}, 1);
  };
  std::vector<at::Tensor> states{u.clone()};
  const int sub = 20;
  const double h = dt / sub;
  for (int64_t k = 0; k < T; ++k) {
    for (int i = 0; i < sub; ++i) {
      auto k1 = f(u), k2 = f(u + h / 2 * k1), k3 = f(u + h / 2 * k2), k4 = f(u + h * k3);
      u = u + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    states.push_back(u.clone());
  }
  io::Dataset d;
  d.states = torch::stack(states, 1);
  d.states.select(2, 0).add_(2 * M_PI * turns);
  d.t = torch::arange(T + 1, o) * dt;
  d.dt = dt;
  for (int64_t s = 0; s < S; ++s) d.train.push_back(s);
  return d;
}

DynamicsModel pendulum_model(std::vector<int64_t> angles) {
  torch::manual_seed(0);
  auto m = make_model(ModelOptions().dim(2).hidden({32, 32}).angles(std::move(angles)));
  m->to(torch::kFloat64);
  return m;
}

TEST(PeriodicCoordinates, TheEnergyIsPeriodicAndItsDiscreteGradientExact) {
  auto m = pendulum_model({0});
  auto u = torch::randn({16, 2}, torch::kFloat64) * 3, v = torch::randn({16, 2}, torch::kFloat64);
  auto d = m->energy_derivatives().discrete_gradient(u, v, false);
  auto lhs = d.H_u - d.H_v, rhs = (d.dgrad * (u - v)).sum(1);
  EXPECT_LT((lhs - rhs).abs().max().item<double>(),
            1e-12 * std::max(1.0, d.H_u.abs().max().item<double>()));
  auto turned = u.clone();
  turned.select(1, 0).add_(6 * M_PI);
  auto H = [&](const at::Tensor& x) { return ad::energy(m->energy_fn(), x); };
  EXPECT_TRUE(torch::allclose(H(u), H(turned), 1e-12, 1e-12));
  EXPECT_THROW(pendulum_model({2}), std::invalid_argument);
  EXPECT_THROW(make_model(ModelOptions().type("node").dim(2).angles({0})), std::invalid_argument);
}

TEST(PeriodicCoordinates, ASpinningPendulumIsLearnedWithItsAngleDeclared) {
  const auto train_data = spinning_pendulum(8, 30, 0.1, 1, 0);
  const auto later = spinning_pendulum(4, 30, 0.1, 2, 3);  // three turns further on
  auto train = learn::make_pairs(train_data, train_data.train, torch::kFloat64, torch::kCPU);
  auto test = learn::make_pairs(later, later.train, torch::kFloat64, torch::kCPU);
  const auto opts = learn::TrainOptions().lr(3e-3).batch(64).iterations(500).log_every(0);
  auto with = pendulum_model({0}), without = pendulum_model({});
  learn::train(*with, train, opts);
  learn::train(*without, train, opts);
  const double err_with = learn::rate_mse(*with, test, StepOptions());
  const double err_without = learn::rate_mse(*without, test, StepOptions());
  const double var = ((test.u1 - test.u0) / test.dt.unsqueeze(1)).pow(2).mean().item<double>();
  std::printf("rate MSE three turns on: with the angle %.3e, without %.3e (rate variance %.3g)\n",
              err_with, err_without, var);
  EXPECT_LT(err_with, 0.02 * var);
  EXPECT_LT(err_with, 0.1 * err_without);
}

}  // namespace
}  // namespace enflow::models

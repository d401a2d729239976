// The external force of du/dt = G∇H + f (phlearn's form): the implicit scheme
// (u₁ − u₀)/Δt = G∇̄H + f keeps the discrete energy balance H(u₁) − H(u₀) = Δt ∇̄H·(G∇̄H + f)
// per step, with and without normalization; f = 0 is the model without a force; f is a
// trained parameter; bad choices are refused by name.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "enflow/learn/metrics.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"

namespace enflow::models {
namespace {

constexpr int64_t kPoints = 16;

ModelOptions forced_dgnet(const std::string& structure) {
  return ModelOptions()
      .type("dgnet")
      .dim(kPoints)
      .dx(0.5)
      .network("periodic_conv")
      .channels(8)
      .kernel(3)
      .depth(1)
      .structure(structure)
      .force(ForceKind::kConstant);
}

void set_force(DynamicsModelImpl& m, uint64_t seed) {
  torch::NoGradGuard ng;
  torch::manual_seed(seed);
  auto p = m.named_parameters(/*recurse=*/true);
  for (auto& kv : p)
    if (kv.key().size() >= 5 && kv.key().substr(kv.key().size() - 5) == "force")
      kv.value().copy_(0.3 * torch::randn({kPoints}, torch::kFloat64));
}

// max over steps of |H(u₁) − H(u₀) − Δt ∇̄H·(G∇̄H + f)| / max(1, |H(u₀)|), and of the force's
// share |Δt ∇̄H·f| (which must not vanish, or the test shows nothing).
std::pair<double, double> balance_along_prediction(DynamicsModelImpl& m, int steps, double dt) {
  torch::manual_seed(9);
  auto u = 0.5 * torch::randn({3, kPoints}, torch::kFloat64);
  auto H = m.energy_fn();
  auto d = m.energy_derivatives();
  double worst = 0, work = 0;
  for (int k = 0; k < steps; ++k) {
    auto u1 = predict_step(m, u, dt, StepOptions());
    auto g = d.discrete_gradient(u1, u, false).dgrad;
    auto rate = m.discrete_time_derivative(u1, u, false).detach();
    auto h0 = H(ad::Var(u)).a().detach(), h1 = H(ad::Var(u1)).a().detach();
    auto predicted = dt * (g * rate).sum(1);
    worst = std::max(worst,
                     ((h1 - h0 - predicted).abs() / h0.abs().clamp_min(1.0)).max().item<double>());
    work = std::max(work, (dt * (g * m.force()).sum(1)).abs().max().item<double>());
    u = u1;
  }
  return {worst, work};
}

TEST(ExternalForce, EnergyBalanceIsExactPerStep) {
  for (const char* structure : {"D", "D2"}) {
    torch::manual_seed(1);
    auto m = make_model(forced_dgnet(structure));
    m->to(torch::kFloat64);
    set_force(*m, 4);
    const auto [residual, work] = balance_along_prediction(*m, 10, 0.05);
    std::printf("G = %s with a force: balance residual %.2e, force work per step up to %.2e\n",
                structure, residual, work);
    EXPECT_LE(residual, 1e-12) << structure;
    EXPECT_GT(work, 1e-4) << structure;
  }
}

TEST(ExternalForce, NormalizedModelKeepsTheBalance) {
  torch::manual_seed(1);
  auto o = forced_dgnet("D");
  o.norm_shift(std::vector<double>(kPoints, 0.2)).norm_scale(std::vector<double>(kPoints, 1.7));
  auto m = make_model(o);
  m->to(torch::kFloat64);
  set_force(*m, 5);
  const auto [residual, work] = balance_along_prediction(*m, 10, 0.05);
  std::printf("normalized: balance residual %.2e, force work %.2e\n", residual, work);
  EXPECT_LE(residual, 1e-12);
  EXPECT_GT(work, 1e-4);
  // The force in the user's units is scale ⊙ f_n.
  torch::manual_seed(3);
  auto u = torch::randn({2, kPoints}, torch::kFloat64);
  auto f = m->force();
  ASSERT_TRUE(f.defined());
  auto with = m->time_derivative(u, false);
  {
    torch::NoGradGuard ng;
    for (auto& p : m->parameters())
      if (p.dim() == 1 && p.size(0) == kPoints && p.abs().max().item<double>() > 0) p.zero_();
  }
  EXPECT_LT((with - m->time_derivative(u, false) - f).abs().max().item<double>(), 1e-13);
}

TEST(ExternalForce, ZeroForceIsTheModelWithoutOneAndIsTrained) {
  torch::manual_seed(1);
  auto forced = make_model(forced_dgnet("D"));
  forced->to(torch::kFloat64);
  torch::manual_seed(1);
  auto plain = make_model(forced_dgnet("D").force(ForceKind::kNone));
  plain->to(torch::kFloat64);
  torch::manual_seed(2);
  auto u = torch::randn({4, kPoints}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(forced->time_derivative(u, false), plain->time_derivative(u, false)));
  EXPECT_TRUE(torch::equal(predict_step(*forced, u, 0.05, StepOptions()),
                           predict_step(*plain, u, 0.05, StepOptions())));
  EXPECT_FALSE(plain->force().defined());
  // The force receives gradients from the one-step loss like any parameter.
  auto u1 = u + 0.05 * torch::ones_like(u);
  auto loss = (forced->discrete_time_derivative(u1, u, true) - 1.0).pow(2).mean();
  loss.backward();
  EXPECT_GT(forced->force().grad().abs().max().item<double>(), 0.0);
}

TEST(ExternalForce, EvaluationReportsTheBalanceAlongThePrediction) {
  // Forced, viscous KdV–Burgers data on 16 points; a forced DGNet's implicit prediction keeps
  // the balance to rounding while its learned energy moves; explicit Euler's does not keep it.
  auto system = systems::make_system("kdv-burgers", {{"points", 16}, {"length", 8.0}});
  auto data = systems::generate_dataset(*system, systems::Protocol{2, 6, 0.01, 0.0, 0.5, ""}, 3);
  torch::manual_seed(1);
  auto m = make_model(forced_dgnet("D").dx(0.5));
  m->to(torch::kFloat64);
  set_force(*m, 6);
  const auto dg = StepOptions();
  auto ev = learn::evaluate(*m, data, {0, 1}, dg, dg, system.get());
  const auto euler = StepOptions().integrator("euler");
  auto ev_rk = learn::evaluate(*m, data, {0, 1}, dg, euler, system.get());
  const double drift =
      (ev.learned_energy - ev.learned_energy.narrow(1, 0, 1)).abs().max().item<double>() /
      ev.learned_energy.abs().max().item<double>();
  std::printf(
      "evaluate: balance residual %.2e (discrete gradient), %.2e (euler); energy moved %.2e\n",
      ev.energy_balance_residual, ev_rk.energy_balance_residual, drift);
  EXPECT_LE(ev.energy_balance_residual, 1e-12);
  EXPECT_GT(ev_rk.energy_balance_residual, 1e-8);
  EXPECT_GT(drift, 1e-6);
}

TEST(ExternalForce, BadChoicesAreNamed) {
  try {
    parse_force_kind("pushed");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model.force 'pushed'"), std::string::npos);
  }
  EXPECT_THROW(make_model(ModelOptions().type("srnn").dim(2).force(ForceKind::kConstant)),
               std::invalid_argument);
  EXPECT_THROW(make_model(ModelOptions().type("node").dim(2).force(ForceKind::kConstant)),
               std::invalid_argument);
}

}  // namespace
}  // namespace enflow::models

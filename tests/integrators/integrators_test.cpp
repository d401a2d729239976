// The implicit discrete-gradient scheme keeps a network's energy exactly (skew G) or
// makes it decrease at every step (negative semi-definite G), at large steps; explicit
// RK schemes have their advertised order; Newton failure is an error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/integrators/discrete_gradient_scheme.h"
#include "enflow/integrators/explicit_rk.h"
#include "enflow/nn/energy_net.h"

namespace enflow::integrators {
namespace {

torch::Tensor canonical(int64_t n) {
  auto S = torch::zeros({2 * n, 2 * n}, torch::kFloat64);
  S.narrow(0, 0, n).narrow(1, n, n).copy_(torch::eye(n, torch::kFloat64));
  S.narrow(0, n, n).narrow(1, 0, n).copy_(-torch::eye(n, torch::kFloat64));
  return S;
}

class DiscreteGradientScheme : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(5);
    // ½|u|² plus a random network: a nonlinear oscillator with bounded orbits.
    net = nn::make_mlp_energy(nn::MlpOptions(4).hidden({64, 64}));
    net->to(torch::kFloat64);
    auto f = net->fn();
    H = [f](const ad::Var& x) { return ad::sum_per_sample(0.5 * ad::square(x)) + f(x); };
  }
  nn::EnergyNet net{nullptr};
  ad::EnergyFn H;
};

TEST_F(DiscreteGradientScheme, ConservesEnergyWithSkewStructure) {
  auto u = torch::randn({4, 4}, torch::kFloat64);
  const auto H0 = ad::energy(H, u);
  auto G = canonical(2);
  for (int k = 0; k < 100; ++k) {
    NewtonReport rep;
    u = discrete_gradient_step(H, G, u, 0.5, {}, &rep);
    ASSERT_TRUE(rep.converged);
  }
  auto drift = ((ad::energy(H, u) - H0).abs() / H0.abs()).max().item<double>();
  EXPECT_LE(drift, 1e-12);
}

TEST_F(DiscreteGradientScheme, DissipatesAtEveryStepWithNegativeDefiniteStructure) {
  auto u = 2.0 * torch::randn({4, 4}, torch::kFloat64);
  auto G = canonical(2) - 0.3 * torch::eye(4, torch::kFloat64);  // S − R, R ≥ 0
  auto Hprev = ad::energy(H, u);
  for (int k = 0; k < 50; ++k) {
    u = discrete_gradient_step(H, G, u, 1.0);
    auto Hk = ad::energy(H, u);
    ASSERT_TRUE((Hk <= Hprev + 1e-13 * Hprev.abs()).all().item<bool>()) << "step " << k;
    Hprev = Hk;
  }
}

// A Jacobian carried across steps (simplified Newton) lands on the same solution of the
// implicit scheme, keeps H as exactly, and needs far fewer Jacobians than steps.
TEST_F(DiscreteGradientScheme, ReusedJacobianGivesTheSameStepsWithFewerJacobians) {
  auto u_fresh = torch::randn({4, 4}, torch::kFloat64);
  auto u_reuse = u_fresh.clone();
  const auto H0 = ad::energy(H, u_fresh);
  auto G = canonical(2);
  NewtonWorkspace ws;
  int jacobians = 0;
  const int steps = 200;
  for (int k = 0; k < steps; ++k) {
    u_fresh = discrete_gradient_step(H, G, u_fresh, 0.05);
    NewtonReport rep;
    u_reuse = discrete_gradient_step(H, G, u_reuse, 0.05, {}, &rep, &ws);
    ASSERT_TRUE(rep.converged);
    jacobians += rep.jacobians;
  }
  EXPECT_LE((u_reuse - u_fresh).abs().max().item<double>(), 1e-11);
  EXPECT_LE(((ad::energy(H, u_reuse) - H0).abs() / H0.abs()).max().item<double>(), 1e-12);
  EXPECT_LE(jacobians, steps / 20);
  // A quartic oscillator at large steps: its Jacobian changes from step to step, stale
  // ones are replaced when Newton stops contracting, and the scheme still conserves H.
  ad::EnergyFn Hq = [](const ad::Var& x) {
    return ad::sum_per_sample(0.5 * ad::square(x) + ad::square(ad::square(x)));
  };
  NewtonWorkspace ws_large;
  auto u = torch::randn({4, 4}, torch::kFloat64);
  const auto H1 = ad::energy(Hq, u);
  int refreshed = 0;
  for (int k = 0; k < 10; ++k) {
    NewtonReport rep;
    u = discrete_gradient_step(Hq, G, u, 0.1, {}, &rep, &ws_large);
    ASSERT_TRUE(rep.converged);
    refreshed += rep.jacobians;
  }
  EXPECT_GT(refreshed, 1);
  EXPECT_LE(((ad::energy(Hq, u) - H1).abs() / H1.abs()).max().item<double>(), 1e-12);
  // A workspace from another step size or batch is not used.
  NewtonReport rep;
  discrete_gradient_step(H, G, u_reuse, 0.1, {}, &rep, &ws);
  EXPECT_GE(rep.jacobians, 1);
  discrete_gradient_step(H, G, u_reuse.narrow(0, 0, 2), 0.1, {}, &rep, &ws);
  EXPECT_GE(rep.jacobians, 1);
}

TEST_F(DiscreteGradientScheme, NonConvergenceIsAnError) {
  auto u = torch::randn({2, 4}, torch::kFloat64);
  EXPECT_THROW(discrete_gradient_step(H, canonical(2), u, 0.5, NewtonOptions().max_iterations(0)),
               std::runtime_error);
  EXPECT_THROW(discrete_gradient_step(H, torch::eye(3, torch::kFloat64), u, 0.5),
               std::invalid_argument);
}

TEST(ExplicitRungeKutta, HasItsOrderOnTheHarmonicOscillator) {
  auto f = [](const torch::Tensor& u) {
    return torch::stack({u.select(1, 1), -u.select(1, 0)}, 1);
  };
  auto err = [&](auto step, double dt) {
    auto u = torch::tensor({{1.0, 0.0}}, torch::kFloat64);
    const int n = static_cast<int>(std::round(1.0 / dt));
    for (int k = 0; k < n; ++k) u = step(f, u, dt);
    auto exact = torch::tensor({{std::cos(1.0), -std::sin(1.0)}}, torch::kFloat64);
    return (u - exact).abs().max().item<double>();
  };
  const double r2 = err(rk2_step, 0.02) / err(rk2_step, 0.01);
  const double r4 = err(rk4_step, 0.02) / err(rk4_step, 0.01);
  EXPECT_NEAR(std::log2(r2), 2.0, 0.1);
  EXPECT_NEAR(std::log2(r4), 4.0, 0.1);
}

}  // namespace
}  // namespace enflow::integrators

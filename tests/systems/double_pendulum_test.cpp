// The double pendulum's energy against the mass matrix it comes from, and its reference
// solver's conservation of that energy.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"

namespace enflow::systems {
namespace {

TEST(DoublePendulum, EnergyIsTheMassMatrixKineticPlusPotentialEnergy) {
  const Params params{{"m1", 1.3}, {"m2", 0.7}, {"l1", 0.9}, {"l2", 1.4}, {"g", 9.81}};
  auto sys = make_system("double-pendulum", params);
  auto& es = dynamic_cast<EnergySystem&>(*sys);
  const auto u = sys->sample_initial(16, 3) * 2.0;  // wide angles, both signs of cos Δ
  const auto H = es.energy(ad::Var(u)).a();
  for (int64_t i = 0; i < u.size(0); ++i) {
    const double t1 = u[i][0].item<double>(), t2 = u[i][1].item<double>();
    const double m1 = 1.3, m2 = 0.7, l1 = 0.9, l2 = 1.4, g = 9.81;
    // M(θ) θ' = p, T = ½ θ'ᵀ M θ' (the Lagrangian's kinetic energy).
    auto M = torch::tensor({{(m1 + m2) * l1 * l1, m2 * l1 * l2 * std::cos(t1 - t2)},
                            {m2 * l1 * l2 * std::cos(t1 - t2), m2 * l2 * l2}},
                           torch::kFloat64);
    auto p = u[i].narrow(0, 2, 2).unsqueeze(1);
    auto v = torch::linalg_solve(M, p);
    const double T = 0.5 * (v.t().matmul(M).matmul(v)).item<double>();
    const double V = -(m1 + m2) * g * l1 * std::cos(t1) - m2 * g * l2 * std::cos(t2);
    EXPECT_NEAR(H[i].item<double>(), T + V, 1e-12 * std::max(1.0, std::abs(T + V)));
  }
}

TEST(DoublePendulum, ReferenceSolverKeepsTheEnergyAndFollowsTheVectorField) {
  auto sys = make_system("double-pendulum");
  auto& es = dynamic_cast<EnergySystem&>(*sys);
  auto u = sys->sample_initial(4, 1);
  const auto H0 = es.energy(ad::Var(u)).a();
  const double dt = default_protocol("double-pendulum").dt;
  // One short step agrees with the exact vector field to O(dt²) (the solver is 4th order).
  const double h = 1e-3;
  const auto step = sys->reference_step(u, h);
  EXPECT_LT(((step - u) / h - sys->time_derivative(u)).abs().max().item<double>(), 1e-2);
  for (int k = 0; k < 200; ++k) u = sys->reference_step(u, dt);
  const auto H = es.energy(ad::Var(u)).a();
  EXPECT_LT(((H - H0).abs() / H0.abs()).max().item<double>(), 1e-10);
  EXPECT_EQ(sys->invariants(u).count("energy"), 1u);
}

}  // namespace
}  // namespace enflow::systems

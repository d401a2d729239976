#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "enflow/variational/committor.h"
#include "enflow/variational/shooting.h"

namespace enflow::variational {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kDouble);

TEST(Shooting, FreeDiffusionBetweenSpheresMatchesExactProfile) {
  // V = 0 in 3-D, A = {|x| <= 1}, B = {|x| >= 2}: q(r) = (1 - 1/r) / (1 - 1/2).
  auto p = concentric_spheres_problem(3, 1.0, 2.0, kF64);
  auto x = torch::tensor({{1.25, 0.0, 0.0}, {0.0, 1.5, 0.0}, {0.0, 0.0, 1.75}}, kF64);
  auto s = shooting_committor(
      p, x, ShootingOptions().trajectories(1000).dt(2e-4).max_steps(100000).seed(3));
  EXPECT_EQ(s.undecided, 0);
  auto exact = p.exact(x);
  // Stated bound: within 4 binomial standard errors (~0.06) plus 0.03 for the discrete
  // monitoring of the sets (paths that cross a sphere between two steps are missed).
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(s.q[i].item<double>(), exact[i].item<double>(),
                4 * s.std_error[i].item<double>() + 0.03)
        << "start " << i;
}

TEST(Shooting, DoubleWellMatchesQuadratureAndIsSymmetric) {
  auto p = double_well_problem(3.0, kF64);
  auto x = torch::tensor({{-0.5}, {0.0}, {0.5}}, kF64);
  auto s = shooting_committor(
      p, x, ShootingOptions().trajectories(800).dt(5e-4).max_steps(100000).seed(4));
  auto exact = p.exact(x);
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(s.q[i].item<double>(), exact[i].item<double>(),
                4 * s.std_error[i].item<double>() + 0.03)
        << "start " << i;
  // Points inside A or B are decided at once.
  auto edge = shooting_committor(p, torch::tensor({{-1.5}, {1.5}}, kF64),
                                 ShootingOptions().trajectories(5));
  EXPECT_EQ(edge.steps, 0);
  EXPECT_EQ(edge.q[0].item<double>(), 0.0);
  EXPECT_EQ(edge.q[1].item<double>(), 1.0);
}

TEST(Shooting, RejectsBadInput) {
  auto p = double_well_problem(3.0, kF64);
  EXPECT_THROW(shooting_committor(p, torch::zeros({3, 2}, kF64), ShootingOptions()),
               std::invalid_argument);
  EXPECT_THROW(shooting_committor(p, torch::full({1, 1}, NAN, kF64), ShootingOptions()),
               std::invalid_argument);
  EXPECT_THROW(shooting_committor(p, torch::zeros({1, 1}, kF64), ShootingOptions().dt(0)),
               std::invalid_argument);
}

TEST(GinzburgLandauPath, IsSymmetricOnLevelAndPassesThroughASaddle) {
  const int64_t n = 30;
  auto p = ginzburg_landau_problem(n, 0.1, 10.0, GibbsSampling(), kF64);
  auto path = ginzburg_landau_path(p, {-0.3, 0.0, 0.3});
  ASSERT_EQ(path.size(0), 3);
  // On its level, and u -> -reversed(u) maps the level m to -m.
  EXPECT_LT((path.mean(1) - torch::tensor({-0.3, 0.0, 0.3}, kF64)).abs().max().item<double>(),
            1e-12);
  EXPECT_LT((path[0] + path[2].flip(0)).abs().max().item<double>(), 1e-5);
  // mean(u) = 0 is a critical point of V itself (the kink), with exactly one unstable
  // direction: the transition state.
  auto u = path[1].unsqueeze(0).clone().requires_grad_(true);
  auto g = torch::autograd::grad({p.potential(u).sum()}, {u}, {}, true, true)[0].squeeze(0);
  EXPECT_LT(g.abs().max().item<double>(), 1e-6);
  auto hess = torch::zeros({n, n}, kF64);
  for (int64_t i = 0; i < n; ++i)
    hess[i] = torch::autograd::grad({g[i]}, {u}, {}, true)[0].squeeze(0);
  auto eig = torch::linalg_eigvalsh(0.5 * (hess + hess.t()), "L");
  EXPECT_EQ((eig < 0).sum().item<int64_t>(), 1) << eig;
  // The kink: negative on the left, positive on the right.
  EXPECT_LT(path[1][n / 4].item<double>(), -0.5);
  EXPECT_GT(path[1][3 * n / 4].item<double>(), 0.5);
}

}  // namespace
}  // namespace enflow::variational

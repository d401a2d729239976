// Batched restarted GMRES: every sample's system is solved as if alone (its own matrix,
// right-hand side and Krylov space), through restarts, with a zero right-hand side, and
// with a right preconditioner.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/integrators/gmres.h"

namespace enflow::integrators {
namespace {

// Nonsymmetric, well-conditioned matrices [B, d, d]: I + a scaled random perturbation.
at::Tensor test_matrices(int64_t B, int64_t d) {
  return torch::eye(d, torch::kFloat64).expand({B, d, d}) +
         0.4 / std::sqrt(static_cast<double>(d)) * torch::randn({B, d, d}, torch::kFloat64);
}

BatchedOperator apply_batched(const at::Tensor& A) {
  return [A](const at::Tensor& v) { return torch::bmm(A, v.unsqueeze(2)).squeeze(2); };
}

TEST(BatchedGmres, SolvesEachSamplesSystemThroughRestarts) {
  torch::manual_seed(3);
  const int64_t B = 4, d = 40;
  const auto A = test_matrices(B, d);
  auto b = torch::randn({B, d}, torch::kFloat64);
  b[2].zero_();  // converged from the start: stays 0, no NaN from its empty Krylov space
  const auto exact = torch::linalg_solve(A, b.unsqueeze(2)).squeeze(2);
  const auto atol = torch::full({B}, 1e-13, torch::kFloat64);
  GmresReport rep;
  const auto x =
      batched_gmres(apply_batched(A), b, atol, GmresOptions().restart(8).max_iterations(400), &rep);
  ASSERT_TRUE(rep.converged);
  EXPECT_GT(rep.iterations, 8) << "the test should go through restarts";
  EXPECT_LE((x - exact).abs().max().item<double>(), 1e-11);
  EXPECT_EQ(x[2].abs().max().item<double>(), 0.0);
  const auto res = (b - apply_batched(A)(x)).norm(2, 1);
  EXPECT_TRUE((res <= 1e-12).all().item<bool>());
}

TEST(BatchedGmres, StopsUnconvergedAtTheCapAndTakesAPreconditioner) {
  torch::manual_seed(4);
  const int64_t B = 3, d = 30;
  const auto A = test_matrices(B, d);
  const auto b = torch::randn({B, d}, torch::kFloat64);
  const auto atol = torch::full({B}, 1e-12, torch::kFloat64);
  GmresReport rep;
  batched_gmres(apply_batched(A), b, atol, GmresOptions().max_iterations(2), &rep);
  EXPECT_FALSE(rep.converged);
  EXPECT_LE(rep.iterations, 2);
  // The exact inverse as a right preconditioner: one Krylov vector suffices.
  const auto Ainv = torch::linalg_inv(A);
  const auto x =
      batched_gmres(apply_batched(A), b, atol, GmresOptions(), &rep, apply_batched(Ainv));
  EXPECT_TRUE(rep.converged);
  EXPECT_EQ(rep.iterations, 1);
  EXPECT_LE((apply_batched(A)(x) - b).abs().max().item<double>(), 1e-12);
}

}  // namespace
}  // namespace enflow::integrators

#include "enflow/geometry/grid_operators.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace enflow::geometry {
namespace {

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

TEST(GridOperators, SummationByPartsIdentitiesHoldExactly) {
  const int64_t n = 17;
  const double dx = 0.3;
  auto D = central_difference(n, dx), Dp = forward_difference(n, dx);
  auto D2 = second_difference(n, dx);
  EXPECT_LT(max_abs(D + D.t()), 1e-15);                       // skew: conserves
  EXPECT_LT(max_abs(D2 - D2.t()), 1e-15);                     // symmetric
  EXPECT_LT(max_abs(torch::matmul(Dp.t(), Dp) + D2), 1e-12);  // D₊ᵀD₊ = −D₂
  EXPECT_LT(max_abs(Dp - Dp.t() - 2 * D), 1e-12);             // D₊ − D₊ᵀ = 2D
  EXPECT_LT(max_abs(torch::linalg::eigvalsh(D2, "L").clamp_min(0)), 1e-10);  // ≤ 0
}

TEST(GridOperators, ConvergeOnASmoothPeriodicFunction) {
  for (int64_t n : {64, 128}) {
    const double dx = 2 * M_PI / static_cast<double>(n);
    auto x = torch::arange(n, torch::kFloat64) * dx;
    auto u = torch::sin(x);
    // Second order for the centred operators, first order for the forward one.
    EXPECT_LT(max_abs(torch::matmul(central_difference(n, dx), u) - torch::cos(x)), dx * dx);
    EXPECT_LT(max_abs(torch::matmul(second_difference(n, dx), u) + u), dx * dx);
    EXPECT_LT(max_abs(torch::matmul(forward_difference(n, dx), u) - torch::cos(x + dx / 2)),
              dx * dx);
  }
}

TEST(GridOperators, RefuseGridsTooSmallOrSpacingsNotPositive) {
  EXPECT_THROW(central_difference(2, 0.1), std::invalid_argument);
  EXPECT_THROW(forward_difference(2, 0.1), std::invalid_argument);
  EXPECT_THROW(second_difference(8, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::geometry

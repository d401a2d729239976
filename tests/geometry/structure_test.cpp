#include "enflow/geometry/structure.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace enflow::geometry {
namespace {

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }
double max_eig_sym(const torch::Tensor& G) {
  auto s = 0.5 * (G + G.t());
  return std::get<0>(torch::linalg_eigh(s.to(torch::kFloat64), "L")).max().item<double>();
}

TEST(Structure, FixedOperatorsHaveTheirStructure) {
  auto S = canonical_symplectic(6);
  EXPECT_EQ(max_abs(S + S.t()), 0.0);
  EXPECT_TRUE(torch::allclose(torch::matmul(S, S), -torch::eye(6, torch::kFloat64)));
  auto D = central_difference(10, 0.2);
  EXPECT_EQ(max_abs(D + D.t()), 0.0);
  auto D2 = second_difference(10, 0.2);
  EXPECT_EQ(max_abs(D2 - D2.t()), 0.0);
  EXPECT_LE(max_eig_sym(D2), 1e-10);
  // Periodic differences of a sine are the exact derivatives up to O(dx²).
  auto x = torch::arange(64, torch::kFloat64) * (2 * M_PI / 64);
  auto du = torch::matmul(central_difference(64, 2 * M_PI / 64), torch::sin(x));
  EXPECT_LE(max_abs(du - torch::cos(x)), 2e-3);
  // Constants are in the kernel: mass Σu is conserved by du/dt = D(...) and D2(...).
  EXPECT_LE(max_abs(D.sum(0)), 1e-12);
  EXPECT_LE(max_abs(D2.sum(0)), 1e-9);
}

TEST(Structure, LearnableOperatorsKeepTheirStructureForAnyParameters) {
  torch::manual_seed(1);
  for (int rep = 0; rep < 5; ++rep) {
    auto skew = make_structure("learnable_skew", 5);
    auto diss = make_structure("learnable_dissipative", 5);
    auto fric = make_structure("friction", 6);
    {
      torch::NoGradGuard ng;
      for (auto& p : skew->parameters()) p.normal_(0, 3);
      for (auto& p : diss->parameters()) p.normal_(0, 3);
      for (auto& p : fric->parameters()) p.normal_(0, 3);
    }
    auto A = skew->matrix();
    EXPECT_EQ(max_abs(A + A.t()), 0.0);
    EXPECT_LE(max_eig_sym(diss->matrix()), 1e-10);
    EXPECT_LE(max_eig_sym(fric->matrix()), 0.0);
  }
  EXPECT_THROW(make_structure("spiral", 4), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::geometry

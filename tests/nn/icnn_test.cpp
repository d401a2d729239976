// Input-convex and partially input-convex networks are convex (in the chosen input) for
// random parameters, not only after training; the concave entropy has an exact discrete
// gradient like every ad::Var energy.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/nn/icnn.h"
#include "enflow/nn/partially_convex.h"
#include "support/hessian.h"

namespace enflow::nn {
namespace {

using testing::hessians;
using testing::randomize;
using testing::relative_min_eigenvalue;

TEST(Icnn, HessianIsPositiveSemiDefiniteForRandomParameters) {
  for (int64_t kernel : {0, 3}) {
    const int64_t d = kernel ? 8 : 3;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      auto f = std::make_shared<IcnnImpl>(IcnnOptions(d).hidden({6, 5, 4}).kernel(kernel));
      f->to(torch::kFloat64);
      randomize(*f, 1.5, seed);
      auto x = 2.0 * torch::randn({16, d}, torch::kFloat64);
      auto H = hessians([&](const torch::Tensor& u) { return f->forward(ad::Var(u)).a(); }, x);
      EXPECT_GE(relative_min_eigenvalue(H).min().item<double>(), -1e-12)
          << "kernel " << kernel << " seed " << seed;
      EXPECT_GT(H.abs().max().item<double>(), 1e-6);  // not trivially linear
    }
  }
}

TEST(Icnn, ConcaveEnergyHasNegativeSemiDefiniteHessianAndExactDiscreteGradient) {
  for (const std::string out : {"linear", "softplus"}) {
    auto S = make_concave_energy(IcnnOptions(4).hidden({8, 8}), out);
    S->to(torch::kFloat64);
    randomize(*S, 1.0, 7);
    auto x = torch::randn({32, 4}, torch::kFloat64);
    auto H = hessians([&](const torch::Tensor& u) { return S->forward(u); }, x);
    EXPECT_GE(relative_min_eigenvalue(-H).min().item<double>(), -1e-12) << out;
    auto y = x + 0.7 * torch::randn({32, 4}, torch::kFloat64);
    auto r = ad::discrete_gradient(S->fn(), y, x);
    auto gap = (r.H_u - r.H_v - (r.dgrad * (y - x)).sum(1)).abs().max().item<double>();
    // Exact up to rounding in sums of terms of size |S| (decision 3: relative to the scale).
    EXPECT_LE(gap, 2e-12 * std::max(1.0, r.H_u.abs().max().item<double>())) << out;
  }
}

TEST(Icnn, RejectsNonConvexActivationsAndEvenKernels) {
  EXPECT_THROW(IcnnImpl(IcnnOptions(2).activation("tanh")), std::invalid_argument);
  EXPECT_THROW(IcnnImpl(IcnnOptions(8).kernel(2)), std::invalid_argument);
  EXPECT_THROW(IcnnImpl(IcnnOptions(2).hidden({})), std::invalid_argument);
  EXPECT_THROW(make_concave_energy(IcnnOptions(2), "cubic"), std::invalid_argument);
  IcnnImpl f(IcnnOptions(3));
  EXPECT_THROW(f.forward(ad::Var(torch::zeros({2, 4}))), std::invalid_argument);
}

TEST(Icnn, NonnegativeReparameterizationRoundTrips) {
  auto w = torch::tensor({1e-4, 0.3, 2.0, 40.0}, torch::kFloat64);
  EXPECT_TRUE(torch::allclose(nonnegative(nonnegative_inverse(w)), w, 1e-12, 0));
  EXPECT_TRUE(
      (nonnegative(torch::tensor({-50.0, 0.0, 50.0}, torch::kFloat64)) >= 0).all().item<bool>());
  EXPECT_THROW(nonnegative_inverse(torch::tensor({0.0})), std::invalid_argument);
}

TEST(PartiallyConvex, HessianInYIsPositiveSemiDefiniteForRandomParameters) {
  for (int64_t kernel : {0, 3}) {
    const int64_t d = kernel ? 8 : 3;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      PartiallyConvexNet f(PartiallyConvexOptions(d, d).hidden({6, 5}).kernel(kernel));
      f->to(torch::kFloat64);
      randomize(*f, 1.5, seed);
      auto x = 2.0 * torch::randn({16, d}, torch::kFloat64);
      auto y = 2.0 * torch::randn({16, d}, torch::kFloat64);
      auto Hy = hessians([&](const torch::Tensor& v) { return f->forward(x, v); }, y);
      EXPECT_GE(relative_min_eigenvalue(Hy).min().item<double>(), -1e-12)
          << "kernel " << kernel << " seed " << seed;
      // It does depend on x (and not convexly in general).
      auto dx = f->forward(x + 0.5, y) - f->forward(x, y);
      EXPECT_GT(dx.abs().max().item<double>(), 1e-6);
    }
  }
}

TEST(PartiallyConvex, RejectsBadShapesAndOptions) {
  EXPECT_THROW(PartiallyConvexNetImpl(PartiallyConvexOptions(3, 3).activation("sin")),
               std::invalid_argument);
  EXPECT_THROW(PartiallyConvexNetImpl(PartiallyConvexOptions(3, 4).kernel(3)),
               std::invalid_argument);
  PartiallyConvexNetImpl f(PartiallyConvexOptions(3, 2));
  EXPECT_THROW(f.forward(torch::zeros({2, 3}), torch::zeros({2, 3})), std::invalid_argument);
  EXPECT_THROW(f.forward(torch::zeros({2, 3}), torch::zeros({3, 2})), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::nn

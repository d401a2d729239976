// Structural operations on Var: each propagates the tangent with an exact discrete
// Jacobian, so seeding the tangent with a − b reproduces f(a) − f(b); plain mode matches
// ordinary LibTorch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/ad/var.h"

namespace enflow::ad {
namespace {

using torch::Tensor;

Var pair_of(const Tensor& a, const Tensor& b) { return Var(a, b, a - b); }

// out.d must equal out.a − out.b (the discrete chain rule at tangent level).
void expect_exact(const Var& out, double tol = 1e-13) {
  ASSERT_TRUE(out.paired());
  auto diff = out.a() - out.b();
  auto scale = out.a().abs().maximum(out.b().abs()).max().item<double>();
  EXPECT_LE((out.d() - diff).abs().max().item<double>(), tol * std::max(scale, 1e-300));
}

class VarOps : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(11); }
  torch::TensorOptions f64 = torch::TensorOptions().dtype(torch::kFloat64);
};

TEST_F(VarOps, ProductsUseTheAveragedProductRule) {
  auto xa = torch::randn({5, 4}, f64), xb = torch::randn({5, 4}, f64);
  auto ya = torch::randn({5, 4}, f64), yb = torch::randn({5, 4}, f64);
  expect_exact(pair_of(xa, xb) * pair_of(ya, yb));
  expect_exact(pair_of(xa, xb) * pair_of(xa, xb) * pair_of(ya, yb));  // triple product
}

TEST_F(VarOps, BilinearAndQuadraticFormsAreExact) {
  auto A = torch::randn({4, 4}, f64);
  auto xa = torch::randn({6, 4}, f64), xb = torch::randn({6, 4}, f64);
  auto ya = torch::randn({6, 4}, f64), yb = torch::randn({6, 4}, f64);
  expect_exact(bilinear(pair_of(xa, xb), A, pair_of(ya, yb)));
  expect_exact(quadratic(pair_of(xa, xb), A));  // A not symmetric on purpose
  auto plain = quadratic(Var(xa), A).a();
  EXPECT_TRUE(torch::allclose(plain, (xa.matmul(A) * xa).sum(-1)));
}

TEST_F(VarOps, LinearMapsAndReductionsAreExact) {
  auto W = torch::randn({3, 4}, f64), b = torch::randn({3}, f64), M = torch::randn({4, 2}, f64);
  auto xa = torch::randn({6, 4}, f64), xb = torch::randn({6, 4}, f64);
  auto x = pair_of(xa, xb);
  expect_exact(linear(x, W, b));
  expect_exact(matmul(x, M));
  expect_exact(sum(x, {1}));
  expect_exact(mean(x, {0, 1}));
  expect_exact(sum_per_sample(reshape(x, {6, 2, 2})));
  expect_exact(cat({narrow(x, 1, 0, 2), unsqueeze(sum(x, {1}), 1)}, 1));
  expect_exact(3.0 * x - x / 2.0 + 1.5 - (2.0 - x));
}

TEST_F(VarOps, PlainOperandsActAsConstants) {
  auto xa = torch::randn({4, 3}, f64), xb = torch::randn({4, 3}, f64);
  auto c = torch::randn({4, 3}, f64);
  auto x = pair_of(xa, xb);
  expect_exact(x * Var(c) + Var(c));
  expect_exact(x * c + c);
  auto y = Var(c) * x;
  EXPECT_TRUE(torch::allclose(y.a(), c * xa));
}

TEST_F(VarOps, CircularConvolutionIsExactAndTranslationEquivariant) {
  auto W = torch::randn({5, 2, 3}, f64), bias = torch::randn({5}, f64);
  auto xa = torch::randn({3, 2, 16}, f64), xb = torch::randn({3, 2, 16}, f64);
  expect_exact(conv1d_circular(pair_of(xa, xb), W, bias));
  // Periodic grid: shifting the input by one cell shifts the output by one cell.
  auto y = conv1d_circular(Var(xa), W, bias).a();
  auto ys = conv1d_circular(Var(torch::roll(xa, 1, 2)), W, bias).a();
  EXPECT_TRUE(torch::allclose(ys, torch::roll(y, 1, 2), 1e-12, 1e-12));
  // Matches LibTorch's circular padding.
  auto ref = torch::conv1d(torch::cat({xa.narrow(2, 15, 1), xa, xa.narrow(2, 0, 1)}, 2), W, bias);
  EXPECT_TRUE(torch::allclose(y, ref, 1e-12, 1e-12));
}

TEST_F(VarOps, BadConvolutionInputIsAClearError) {
  auto W = torch::randn({5, 2, 3}, f64);
  EXPECT_THROW(conv1d_circular(Var(torch::randn({2, 16}, f64)), W, Tensor()),
               std::invalid_argument);
  auto W2 = torch::randn({5, 2, 4}, f64);
  EXPECT_THROW(conv1d_circular(Var(torch::randn({1, 2, 16}, f64)), W2, Tensor()),
               std::invalid_argument);
}

TEST_F(VarOps, CompositionOfEverythingIsExact) {
  auto A = torch::randn({3, 3}, f64);
  auto W = torch::randn({3, 3}, f64);
  auto xa = torch::randn({8, 3}, f64), xb = xa + 1e-3 * torch::randn({8, 3}, f64);
  auto x = pair_of(xa, xb);
  auto h = tanh(linear(x, W, Tensor())) * sin(x) + exp(-0.5 * square(x)) + pow(x, 3) * 0.1;
  auto e = sum_per_sample(h) + quadratic(softplus(x), A) + sum_per_sample(log(1.0 + square(x)));
  expect_exact(e, 1e-12);
}

}  // namespace
}  // namespace enflow::ad

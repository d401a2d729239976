// The one optimizer selector: both kinds minimize, names are parsed at the boundary with an
// error naming the key, and bad options are refused before any work.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "enflow/nn/optimizer.h"
#include "nn/optimizer_factory.h"

namespace enflow::nn {
namespace {

// f(x) = ½ (x − c)ᵀ A (x − c), A SPD with condition number 10: minimizer c.
struct Quadratic {
  torch::Tensor a, c;
  Quadratic() {
    auto q = std::get<0>(torch::linalg_qr(torch::randn({4, 4}, torch::kFloat64)));
    a = q.matmul(torch::diag(torch::linspace(1, 10, 4, torch::kFloat64))).matmul(q.t());
    c = torch::tensor({1.0, -2.0, 0.5, 3.0}, torch::kFloat64);
  }
  torch::Tensor operator()(const torch::Tensor& x) const {
    auto e = x - c;
    return 0.5 * e.dot(a.mv(e));
  }
};

TEST(Optimizer, BothKindsReachTheMinimizer) {
  torch::manual_seed(3);
  Quadratic f;
  for (auto kind : {OptimizerKind::kLbfgs, OptimizerKind::kAdam}) {
    auto x = torch::zeros({4}, torch::kFloat64).requires_grad_(true);
    auto o = OptimizerOptions().kind(kind);
    if (kind == OptimizerKind::kAdam) o.lr(0.05).max_iter(3000);
    minimize(
        {x}, [&] { return f(x); }, o);
    const double err = (x.detach() - f.c).abs().max().item<double>();
    std::printf("%s: max |x - x*| = %.3g\n", to_string(kind), err);
    EXPECT_LT(err, 1e-6) << to_string(kind);  // from 3 at the start
    // Gradients are left zeroed, so a caller's next backward starts clean.
    EXPECT_EQ(x.grad().abs().max().item<double>(), 0.0);
  }
}

TEST(Optimizer, NamesAreParsedAtTheBoundary) {
  EXPECT_EQ(optimizer_kind_from_string("adam"), OptimizerKind::kAdam);
  EXPECT_EQ(optimizer_kind_from_string("lbfgs"), OptimizerKind::kLbfgs);
  EXPECT_STREQ(to_string(optimizer_kind_from_string("lbfgs")), "lbfgs");
  try {
    optimizer_kind_from_string("sgd", "train.optimizer");
    FAIL() << "sgd accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unknown train.optimizer 'sgd'; known: adam, lbfgs");
  }
}

TEST(Optimizer, BadOptionsAreRefusedNamingTheField) {
  auto x = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
  auto loss = [&] { return x.pow(2).sum(); };
  try {
    minimize({x}, loss, OptimizerOptions().max_iter(0));
    FAIL() << "max_iter 0 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "optimizer max_iter must be >= 1");
  }
  try {
    OptimizerOptions().lr(-1).check("optimizer.");
    FAIL() << "negative lr accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "optimizer.lr must be positive");
  }
  EXPECT_THROW(OptimizerOptions().history_size(0).check(), std::invalid_argument);
}

TEST(Optimizer, LearningRateIsSetForEitherKind) {
  auto x = torch::zeros({2}, torch::kFloat64).requires_grad_(true);
  for (auto kind : {OptimizerKind::kLbfgs, OptimizerKind::kAdam}) {
    auto opt = make_optimizer({x}, OptimizerOptions().kind(kind).lr(0.5));
    set_learning_rate(*opt, 0.125);
    EXPECT_EQ(opt->param_groups()[0].options().get_lr(), 0.125) << to_string(kind);
  }
}

}  // namespace
}  // namespace enflow::nn

// The one scalar-field network of the solvers: its LibTorch initialization is torch::nn::Linear's
// draw for draw (so the committor and Deep Ritz kept their results), both architectures
// compute what they say, and bad options are refused by name.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "enflow/nn/scalar_net.h"

namespace enflow::nn {
namespace {

TEST(ScalarNet, LibTorchInitIsLinearDrawForDraw) {
  torch::manual_seed(5);
  auto net = ScalarNet(ScalarNetOptions(2).hidden({5, 3}).init(ScalarInit::kLibTorch));
  torch::manual_seed(5);
  torch::nn::Linear l0(2, 5), l1(5, 3), l2(3, 1);
  auto x = torch::randn({7, 2});
  auto ref = l2->forward(torch::tanh(l1->forward(torch::tanh(l0->forward(x))))).squeeze(1);
  EXPECT_TRUE(torch::equal(net->forward(x), ref));
  EXPECT_TRUE(torch::equal(net->named_parameters()["w1"], l1->weight));
  EXPECT_TRUE(torch::equal(net->named_parameters()["b2"], l2->bias));
}

TEST(ScalarNet, ResnetAndMlpComputeTheirFormulas) {
  torch::manual_seed(1);
  auto x = torch::randn({4, 3}, torch::kFloat64);
  // Residual network with ReLU³: y = W₀x + b₀, y += act(W₂ act(W₁y + b₁) + b₂), out.
  auto res = ScalarNet(ScalarNetOptions(3)
                           .arch(ScalarArch::kResnet)
                           .width(6)
                           .blocks(1)
                           .activation(ScalarActivation::kRelu3));
  auto p = res->named_parameters();
  auto lin = [&](const torch::Tensor& y, int i) {
    return torch::matmul(y, p["w" + std::to_string(i)].t()) + p["b" + std::to_string(i)];
  };
  auto act = [](const torch::Tensor& y) { return torch::relu(y).pow(3); };
  auto y = lin(x, 0);
  y = y + act(lin(act(lin(y, 1)), 2));
  auto expected = lin(y, 3).squeeze(1);
  EXPECT_LT((res->forward(x) - expected).abs().max().item<double>(), 1e-14);
  // Normalized input and a sigmoid output: values in (0, 1), shift/scale applied.
  auto shift = torch::tensor({1.0, 2.0, 3.0}, torch::kFloat64);
  auto scale = torch::tensor({2.0, 2.0, 2.0}, torch::kFloat64);
  torch::manual_seed(2);
  auto a = ScalarNet(
      ScalarNetOptions(3).hidden({4}).sigmoid(true).input_shift(shift).input_scale(scale));
  torch::manual_seed(2);
  auto b = ScalarNet(ScalarNetOptions(3).hidden({4}));
  auto qa = a->forward(x), qb = b->forward((x - shift) / scale);
  EXPECT_LT((qa - torch::sigmoid(qb)).abs().max().item<double>(), 1e-15);
  EXPECT_TRUE((qa > 0).all().item<bool>() && (qa < 1).all().item<bool>());
}

TEST(ScalarNet, BadOptionsAreNamed) {
  try {
    scalar_arch_from_string("cnn", "network.arch");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unknown network.arch 'cnn'; known: mlp (shallow), resnet");
  }
  EXPECT_EQ(scalar_arch_from_string("shallow", "k"), ScalarArch::kMlp);
  EXPECT_THROW(scalar_activation_from_string("relu", "k"), std::invalid_argument);
  EXPECT_THROW(ScalarNet(ScalarNetOptions(2).hidden({})), std::invalid_argument);
  EXPECT_THROW(ScalarNet(ScalarNetOptions(2).arch(ScalarArch::kResnet).width(0)),
               std::invalid_argument);
  auto net = ScalarNet(ScalarNetOptions(2));
  EXPECT_THROW(net->forward(torch::zeros({3, 4}, torch::kFloat64)), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::nn

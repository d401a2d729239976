// Energy-network initialisation: "orthogonal" gives the periodic convolutions orthonormal
// weight matrices (out × in·kernel) and zero biases, as the DGNet authors' code does;
// "default" keeps the uniform fan-in rule; an unknown name is an error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/nn/energy_net.h"

namespace enflow::nn {
namespace {

// max |MᵀM − I| over the shorter side of M (orthonormal rows or columns).
double orthonormality_error(const torch::Tensor& w) {
  auto m = w.reshape({w.size(0), -1}).to(torch::kFloat64);
  auto g = m.size(0) >= m.size(1) ? m.t().mm(m) : m.mm(m.t());
  return (g - torch::eye(g.size(0), torch::kFloat64)).abs().max().item<double>();
}

TEST(EnergyNetInit, OrthogonalPeriodicConvHasOrthonormalWeightsAndZeroBias) {
  torch::manual_seed(3);
  PeriodicConv1dImpl first(1, 16, 3, true, "orthogonal");  // 16 × 3: orthonormal columns
  PeriodicConv1dImpl hidden(16, 16, 1, true, "orthogonal");
  PeriodicConv1dImpl last(16, 1, 1, false, "orthogonal");  // 1 × 16: a unit row
  for (auto* c : {&first, &hidden, &last}) EXPECT_LE(orthonormality_error(c->weight), 1e-6);
  EXPECT_EQ(first.bias.abs().max().item<double>(), 0.0);
  EXPECT_FALSE(last.bias.defined());

  PeriodicConv1dImpl uniform(16, 16, 1, true, "default");
  EXPECT_GT(orthonormality_error(uniform.weight), 0.1);
  EXPECT_GT(uniform.bias.abs().max().item<double>(), 0.0);
  EXPECT_LE(uniform.weight.abs().max().item<double>(), 0.25 + 1e-7);  // ±1/√16

  EXPECT_THROW(PeriodicConv1dImpl(1, 4, 3, true, "xavier"), std::invalid_argument);
  EXPECT_THROW(make_periodic_conv_energy(PeriodicConvOptions().channels(4).init("xavier")),
               std::invalid_argument);
}

}  // namespace
}  // namespace enflow::nn

// Periodic convolutions on 2-D and 3-D grids: both initialisations, the values against
// convolutions of tiled periods, translation invariance of the energy, and the fast
// reverse pass (channels-last neighbour gathering) against autograd.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/nn/energy_net.h"

namespace enflow::nn {
namespace {

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

double orthonormality_err(const torch::Tensor& w) {
  auto m = w.reshape({w.size(0), -1}).to(torch::kFloat64);
  auto g = m.size(0) >= m.size(1) ? m.t().mm(m) : m.mm(m.t());
  return max_abs(g - torch::eye(g.size(0), torch::kFloat64));
}

TEST(PeriodicGridConv, InitialisationsFollowTheOneDimensionalRules) {
  torch::manual_seed(2);
  PeriodicConv2dImpl first2(1, 16, 3, true, "orthogonal");  // 16 × 9: orthonormal rows
  PeriodicConv3dImpl first3(1, 16, 3, true, "orthogonal");  // 16 × 27
  PeriodicConv2dImpl hidden(16, 16, 1, true, "orthogonal");
  EXPECT_EQ(first2.weight.sizes().vec(), (std::vector<int64_t>{16, 1, 3, 3}));
  EXPECT_EQ(first3.weight.sizes().vec(), (std::vector<int64_t>{16, 1, 3, 3, 3}));
  for (auto* w : {&first2.weight, &first3.weight, &hidden.weight})
    EXPECT_LE(orthonormality_err(*w), 1e-6);
  EXPECT_EQ(max_abs(first3.bias), 0.0);
  PeriodicConv3dImpl uniform(2, 8, 3, true, "default");  // fan-in 2·27 = 54
  EXPECT_LE(max_abs(uniform.weight), 1 / std::sqrt(54.0) + 1e-7);
  EXPECT_GT(max_abs(uniform.bias), 0.0);
  EXPECT_THROW(PeriodicConv2dImpl(1, 4, 3, true, "xavier"), std::invalid_argument);
  EXPECT_THROW(PeriodicConv2dImpl(torch::randn({4, 1, 3, 2}), torch::Tensor()),
               std::invalid_argument);
}

// Circular padding by tiling three periods and cutting p values beyond each end (F::pad's
// mode type differs between LibTorch 1.13 and 2.x).
torch::Tensor tile_pad(torch::Tensor x, int64_t p) {
  for (int64_t d = 2; d < x.dim(); ++d) {
    const int64_t n = x.size(d);
    x = torch::cat({x, x, x}, d).narrow(d, n - p, n + 2 * p);
  }
  return x;
}

TEST(PeriodicGridConv, MatchesTiledPaddingAndIsTranslationInvariant) {
  torch::manual_seed(4);
  auto f64 = torch::kFloat64;
  PeriodicConv2dImpl c2(2, 3, 5, true);
  PeriodicConv3dImpl c3(2, 3, 3, true);
  c2.to(f64);
  c3.to(f64);
  auto x2 = torch::randn({2, 2, 7, 9}, f64);
  auto x3 = torch::randn({2, 2, 4, 5, 6}, f64);
  auto ref2 = torch::conv2d(tile_pad(x2, 2), c2.weight, c2.bias);
  auto ref3 = torch::conv3d(tile_pad(x3, 1), c3.weight, c3.bias);
  const double e2 = max_abs(c2.forward(ad::Var(x2)).a() - ref2);
  const double e3 = max_abs(c3.forward(ad::Var(x3)).a() - ref3);
  std::printf("conv2d_circular vs tiled padding: %.2e, conv3d: %.2e\n", e2, e3);
  EXPECT_LT(e2, 1e-12);
  EXPECT_LT(e3, 1e-12);

  auto net = make_periodic_conv_energy(PeriodicConvOptions().grid_axes(3).channels(8));
  net->to(f64);
  auto u = torch::randn({3, 4, 5, 6}, f64);
  auto shifted = torch::roll(u, {1, -2, 3}, {1, 2, 3});
  const double drift = max_abs(net->forward(u) - net->forward(shifted));
  std::printf("3-D energy change under a grid translation: %.2e\n", drift);
  EXPECT_LT(drift, 1e-12);
}

TEST(PeriodicGridConv, FastReversePassMatchesAutogradWithKernelFive) {
  torch::manual_seed(6);
  for (int64_t axes : {2, 3}) {
    auto net = make_periodic_conv_energy(PeriodicConvOptions()
                                             .grid_axes(axes)
                                             .channels(6)
                                             .kernel(axes == 2 ? 5 : 3)
                                             .depth(2)
                                             .activation("softplus"));
    net->to(torch::kFloat64);
    ASSERT_TRUE(net->has_fast_reverse());
    auto u = axes == 2 ? torch::randn({3, 6, 7}, torch::kFloat64)
                       : torch::randn({3, 4, 5, 3}, torch::kFloat64);
    auto fast = net->gradient(u);
    auto reference = ad::gradient(net->fn(), u);
    // Parameter gradients through the fast gradient (create_graph) as in training.
    auto params = net->parameters();
    auto gf = torch::autograd::grad({net->gradient(u, true).pow(2).sum()}, params);
    auto gr = torch::autograd::grad({ad::gradient(net->fn(), u, true).pow(2).sum()}, params);
    double perr = 0;
    for (size_t i = 0; i < params.size(); ++i)
      perr = std::max(perr, max_abs(gf[i] - gr[i]) / max_abs(gr[i]));
    const double err = max_abs(fast - reference) / max_abs(reference);
    std::printf("%lld-D fast gradient vs autograd rel %.2e, its parameter gradient rel %.2e\n",
                static_cast<long long>(axes), err, perr);
    EXPECT_LT(err, 1e-12);
    EXPECT_LT(perr, 1e-10);
  }
}

TEST(PeriodicGridConv, FastReversePassTakesKernelsOfDifferentSizePerAxis) {
  torch::manual_seed(7);
  auto f64 = torch::kFloat64;
  auto seq = std::make_shared<SequentialImpl>();
  seq->push_back(std::make_shared<UnsqueezeImpl>(1));
  seq->push_back(std::make_shared<PeriodicConv2dImpl>(torch::randn({4, 1, 3, 5}, f64),
                                                      torch::randn({4}, f64)));
  seq->push_back(std::make_shared<ActivationImpl>("tanh"));
  seq->push_back(
      std::make_shared<PeriodicConv2dImpl>(torch::randn({1, 4, 1, 1}, f64), torch::Tensor()));
  seq->push_back(std::make_shared<SumPerSampleImpl>());
  EnergyNet net(seq);
  ASSERT_TRUE(net->has_fast_reverse());
  auto u = torch::randn({2, 6, 7}, f64), v = torch::randn({2, 6, 7}, f64);
  const double g = max_abs(net->gradient(u) - ad::gradient(net->fn(), u));
  const double dg =
      max_abs(net->discrete_gradient(u, v).dgrad - ad::discrete_gradient(net->fn(), u, v).dgrad);
  std::printf("3x5 kernel: fast vs autograd gradient %.2e, discrete gradient %.2e\n", g, dg);
  EXPECT_LT(g, 1e-12);
  EXPECT_LT(dg, 1e-12);
}

}  // namespace
}  // namespace enflow::nn

// Automatic discrete differentiation of energies on 2-D and 3-D periodic grids, float64:
// the discrete chain rule, symmetry, consistency with autograd, parameter derivatives of
// the discrete gradient against finite differences, and clear errors for bad input. Each
// property runs on two energies per grid: the shipped one ([B, *grid] → fast reverse pass)
// and a two-channel one ([B, 2, *grid] → ad::Var tangent propagation).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <string>
#include <vector>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/nn/energy_net.h"
#include "support/errors.h"

namespace enflow::ad {
namespace {

using torch::Tensor;

struct GridCase {
  std::string name;
  nn::EnergyNet net{nullptr};
  std::vector<int64_t> state;  // without the batch
};

// k×k(×k) conv → tanh → 1×1 → softplus → 1×1 to one channel → sum over the grid.
nn::EnergyNet two_channel_net(int64_t axes) {
  auto conv = [axes](int64_t in, int64_t out, int64_t k, bool bias) -> nn::Layer {
    return std::make_shared<nn::PeriodicConvImpl>(axes, in, out, k, bias, "default");
  };
  auto seq = std::make_shared<nn::SequentialImpl>();
  seq->push_back(conv(2, 6, 3, true));
  seq->push_back(std::make_shared<nn::ActivationImpl>("tanh"));
  seq->push_back(conv(6, 6, 1, true));
  seq->push_back(std::make_shared<nn::ActivationImpl>("softplus"));
  seq->push_back(conv(6, 1, 1, false));
  seq->push_back(std::make_shared<nn::SumPerSampleImpl>());
  return nn::EnergyNet(seq);
}

std::vector<GridCase> grid_cases() {
  torch::manual_seed(3);
  std::vector<GridCase> c;
  for (int64_t axes : {2, 3}) {
    const std::vector<int64_t> grid =
        axes == 2 ? std::vector<int64_t>{8, 8} : std::vector<int64_t>{4, 4, 4};
    auto shipped = nn::make_periodic_conv_energy(
        nn::PeriodicConvOptions().grid_axes(axes).channels(12).depth(3).init("default"));
    auto channels = grid;
    channels.insert(channels.begin(), 2);
    c.push_back({std::to_string(axes) + "d_fast", shipped, grid});
    c.push_back({std::to_string(axes) + "d_two_channel", two_channel_net(axes), channels});
  }
  for (auto& g : c) g.net->to(torch::kFloat64);
  return c;
}

Tensor random_state(const GridCase& g, int64_t batch) {
  auto shape = g.state;
  shape.insert(shape.begin(), batch);
  return torch::randn(shape, torch::kFloat64);
}

double max_abs(const Tensor& t) { return t.abs().max().item<double>(); }

TEST(GridConvExactness, ChainRuleSymmetryAndConsistencyInFloat64) {
  for (auto& g : grid_cases()) {
    SCOPED_TRACE(g.name);
    torch::manual_seed(11);
    auto u = random_state(g, 4);
    auto v = u + 0.3 * torch::randn_like(u);
    auto dg = g.net->discrete_gradient(u, v);
    // Chain rule: H(u) − H(v) = ∇̄H(u, v)·(u − v), per sample.
    auto dH = dg.H_u - dg.H_v;
    auto lin = (dg.dgrad * (u - v)).flatten(1).sum(1);
    const double chain = max_abs((dH - lin) / dH.abs());
    // Symmetry: ∇̄H(u, v) = ∇̄H(v, u).
    auto dg_vu = g.net->discrete_gradient(v, u).dgrad;
    const double sym = max_abs(dg.dgrad - dg_vu) / max_abs(dg.dgrad);
    // Consistency: ∇̄H(u, u) = ∇H(u), against plain autograd through the ad::Var route.
    auto grad = gradient(g.net->fn(), u);
    const double cons = max_abs(g.net->discrete_gradient(u, u).dgrad - grad) / max_abs(grad);
    // The fast reverse pass (where the network takes it) equals tangent propagation.
    auto dg_var = discrete_gradient(g.net->fn(), u, v).dgrad;
    const double routes = max_abs(dg.dgrad - dg_var) / max_abs(dg_var);
    std::printf(
        "[%s] fast=%d chain rule rel %.2e, symmetry rel %.2e, consistency rel %.2e, "
        "fast vs Var rel %.2e\n",
        g.name.c_str(), static_cast<int>(g.net->has_fast_reverse()), chain, sym, cons, routes);
    EXPECT_EQ(g.net->has_fast_reverse(), g.name.find("fast") != std::string::npos);
    EXPECT_LT(chain, 1e-12);
    EXPECT_LT(sym, 1e-12);
    EXPECT_LT(cons, 1e-12);
    EXPECT_LT(routes, 1e-12);
  }
}

TEST(GridConvExactness, ParameterDerivativesMatchFiniteDifferences) {
  for (auto& g : grid_cases()) {
    SCOPED_TRACE(g.name);
    torch::manual_seed(5);
    auto u = random_state(g, 3);
    auto v = u + 0.3 * torch::randn_like(u);
    auto w = torch::randn_like(u);
    // L(θ) = Σ w·∇̄H(u, v; θ): what a DGNet loss differentiates.
    auto loss = [&](bool graph) { return (g.net->discrete_gradient(u, v, graph).dgrad * w).sum(); };
    auto params = g.net->parameters();
    auto grads = torch::autograd::grad({loss(true)}, params);
    double worst = 0;
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<Tensor> dirs;
      double analytic = 0;
      for (size_t i = 0; i < params.size(); ++i) {
        dirs.push_back(torch::randn_like(params[i]));
        analytic += (grads[i] * dirs[i]).sum().item<double>();
      }
      const double eps = 1e-6;
      auto shift = [&](double s) {
        torch::NoGradGuard no_grad;
        for (size_t i = 0; i < params.size(); ++i) params[i].add_(dirs[i], s);
      };
      shift(eps);
      const double up = loss(false).item<double>();
      shift(-2 * eps);
      const double down = loss(false).item<double>();
      shift(eps);
      const double fd = (up - down) / (2 * eps);
      worst = std::max(worst, std::abs(fd - analytic) / std::abs(analytic));
    }
    std::printf("[%s] parameter derivative vs central difference: worst rel %.2e\n", g.name.c_str(),
                worst);
    EXPECT_LT(worst, 1e-6);
  }
}

TEST(GridConvExactness, BadInputGivesClearErrors) {
  auto f64 = torch::kFloat64;
  auto x2 = Var(torch::randn({2, 1, 8, 8}, f64));
  auto x3 = Var(torch::randn({2, 1, 4, 4, 4}, f64));
  const auto even = testing::error_of<std::invalid_argument>([&] {
    conv2d_circular(x2, torch::randn({3, 1, 2, 2}, f64), Tensor());
  });
  const auto rank = testing::error_of<std::invalid_argument>([&] {
    conv3d_circular(x2, torch::randn({3, 1, 3, 3, 3}, f64), Tensor());
  });
  const auto chans = testing::error_of<std::invalid_argument>([&] {
    conv3d_circular(x3, torch::randn({3, 2, 3, 3, 3}, f64), Tensor());
  });
  const auto layer =
      testing::error_of<std::invalid_argument>([] { nn::PeriodicConv3dImpl(1, 4, 4); });
  auto net = nn::make_periodic_conv_energy(nn::PeriodicConvOptions().grid_axes(2).channels(4));
  net->to(f64);
  const auto fast_rank = testing::error_of<std::invalid_argument>([&] {
    net->gradient(torch::randn({2, 8}, f64));
  });
  const auto opts = testing::error_of<std::invalid_argument>(
      [] { nn::make_periodic_conv_energy(nn::PeriodicConvOptions().grid_axes(4)); });
  for (const auto* m : {&even, &rank, &chans, &layer, &fast_rank, &opts})
    std::printf("error: %s\n", m->c_str());
  EXPECT_NE(even.find("kernel size must be odd"), std::string::npos);
  EXPECT_NE(rank.find("[batch, channels, depth, height, width]"), std::string::npos);
  EXPECT_NE(chans.find("channels"), std::string::npos);
  EXPECT_NE(layer.find("PeriodicConv3d: kernel size must be odd"), std::string::npos);
  EXPECT_NE(fast_rank.find("PeriodicConv2d: input must be"), std::string::npos);
  EXPECT_NE(opts.find("grid_axes"), std::string::npos);
}

}  // namespace
}  // namespace enflow::ad

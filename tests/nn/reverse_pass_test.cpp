// The hand-written reverse passes behind EnergyNet::gradient / discrete_gradient: the
// same numbers as tangent propagation through ad::Var and as autograd, the discrete chain
// rule on pairs from far apart to identical, and the same parameter and input derivatives
// (training and Newton Jacobians), for every layer kind the fast path covers.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/nn/energy_net.h"
#include "support/pairs.h"
#include "support/threads.h"

namespace enflow::nn {
namespace {

using enflow::testing::log_spaced_pairs;
using torch::Tensor;

struct NetCase {
  std::string name;
  std::vector<int64_t> state;  // per-sample shape
  std::function<EnergyNet()> make;
};

std::vector<NetCase> net_cases() {
  std::vector<NetCase> c;
  for (std::string act : {"tanh", "sigmoid", "softplus", "silu", "sin", "relu", "elu", "square"}) {
    c.push_back({"mlp_" + act, {3}, [act] {
                   return make_mlp_energy(MlpOptions(3).hidden({24, 24}).activation(act));
                 }});
  }
  c.push_back(
      {"resnet", {3}, [] {
         return make_mlp_energy(MlpOptions(3).hidden({16, 16, 16}).residual(true).init("default"));
       }});
  c.push_back({"periodic_conv_k3", {12}, [] {
                 return make_periodic_conv_energy(PeriodicConvOptions().channels(10).depth(3));
               }});
  c.push_back({"periodic_conv_k5", {9}, [] {
                 return make_periodic_conv_energy(
                     PeriodicConvOptions().channels(6).kernel(5).depth(2).activation("softplus"));
               }});
  return c;
}

class FastReversePass : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    torch::manual_seed(7);
    c_ = net_cases()[GetParam()];
    net_ = c_.make();
    net_->to(torch::kFloat64);
  }
  std::vector<int64_t> shape(int64_t B) const {
    std::vector<int64_t> s{B};
    s.insert(s.end(), c_.state.begin(), c_.state.end());
    return s;
  }
  static double rel(const Tensor& x, const Tensor& ref) {
    return ((x - ref).abs().max() / ref.abs().max().clamp_min(1e-300)).item<double>();
  }
  NetCase c_;
  EnergyNet net_{nullptr};
};

TEST_P(FastReversePass, CoversTheStandardLayers) { EXPECT_TRUE(net_->has_fast_reverse()); }

TEST_P(FastReversePass, DiscreteGradientEqualsTangentPropagationAndKeepsTheChainRule) {
  auto [u, v] = log_spaced_pairs(shape(32), torch::kFloat64);
  auto fast = net_->discrete_gradient(u, v);
  auto slow = ad::discrete_gradient(net_->fn(), u, v);
  EXPECT_LT(rel(fast.dgrad, slow.dgrad), 1e-12) << c_.name;
  EXPECT_LT(rel(fast.H_u, slow.H_u), 1e-13) << c_.name;
  // H(u) − H(v) = ∇̄H·(u − v), relative to the energy scale.
  auto lhs = fast.H_u - fast.H_v;
  auto rhs = (fast.dgrad * (u - v)).flatten(1).sum(1);
  const double scale = fast.H_u.abs().mean().item<double>() + 1.0;
  EXPECT_LT(((lhs - rhs).abs().max() / scale).item<double>(), 1e-12) << c_.name;
}

TEST_P(FastReversePass, GradientEqualsAutograd) {
  auto u = torch::randn(shape(16), torch::kFloat64);
  EXPECT_LT(rel(net_->gradient(u), ad::gradient(net_->fn(), u)), 1e-13) << c_.name;
  // The discrete gradient of a pair (u, u) is the gradient.
  EXPECT_LT(rel(net_->discrete_gradient(u, u).dgrad, net_->gradient(u)), 1e-13) << c_.name;
}

TEST_P(FastReversePass, ParameterAndInputDerivativesMatchTheTangentRoute) {
  // A DGNet-style loss through the discrete gradient, and its derivatives with respect to
  // every parameter and to the first state (what training and Newton need).
  auto u = torch::randn(shape(8), torch::kFloat64);
  auto v = u + 0.3 * torch::randn_like(u);
  auto w = torch::randn_like(u);
  auto derivs = [&](bool fast) {
    net_->set_fast_reverse(fast);
    auto x = u.clone().requires_grad_(true);
    auto g = net_->discrete_gradient(x, v, /*create_graph=*/true).dgrad;
    auto loss = ((g - w) * (g - w)).sum();
    std::vector<Tensor> inputs = net_->parameters();
    inputs.push_back(x);
    return torch::autograd::grad({loss}, inputs, {}, false, false, true);
  };
  auto fast = derivs(true), slow = derivs(false);
  ASSERT_EQ(fast.size(), slow.size());
  for (size_t i = 0; i < fast.size(); ++i) {
    if (!slow[i].defined()) continue;  // e.g. an unused bias
    ASSERT_TRUE(fast[i].defined()) << c_.name << " input " << i;
    EXPECT_LT(rel(fast[i], slow[i]), 1e-10) << c_.name << " input " << i;
  }
}

TEST_P(FastReversePass, ConcurrentStreamsGiveTheSerialResult) {
  // With two threads the u and v streams run side by side (reverse_pass.cpp): the same
  // values, derivatives and grad mode (thread-local) as on one thread.
  auto [u, v] = log_spaced_pairs(shape(32), torch::kFloat64);
  auto run = [&, u = u, v = v](int threads) {
    testing::Threads scope(threads);
    std::vector<Tensor> out;
    {
      torch::NoGradGuard no_grad;
      auto r = net_->discrete_gradient(u, v);
      EXPECT_FALSE(r.dgrad.requires_grad() || r.H_u.requires_grad() || r.H_v.requires_grad())
          << c_.name;
      out.push_back(r.dgrad);
    }
    auto x = u.clone().requires_grad_(true);
    auto r = net_->discrete_gradient(x, v, /*create_graph=*/true);
    auto loss = (r.dgrad * r.dgrad).sum() + r.H_u.sum() - r.H_v.sum();
    std::vector<Tensor> inputs = net_->parameters();
    inputs.push_back(x);
    for (auto& g : torch::autograd::grad({loss}, inputs, {}, false, false, true)) {
      if (g.defined()) out.push_back(g);
    }
    return out;
  };
  auto serial = run(1), concurrent = run(2);
  ASSERT_EQ(serial.size(), concurrent.size()) << c_.name;
  for (size_t i = 0; i < serial.size(); ++i) {
    EXPECT_LE(rel(concurrent[i], serial[i]), 1e-14) << c_.name << " output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Networks, FastReversePass,
                         ::testing::Range(0, static_cast<int>(net_cases().size())),
                         [](const auto& info) { return net_cases()[info.param].name; });

// A layer without a hand-written rule keeps the ad::Var route, with the same results.
class CubeImpl : public LayerImpl {
 public:
  ad::Var forward(const ad::Var& x) override { return ad::pow(x, 3); }
};

TEST(FastReversePassFallback, UnknownLayersUseTangentPropagation) {
  auto seq = std::make_shared<SequentialImpl>();
  seq->push_back(std::make_shared<LinearImpl>(2, 4));
  seq->push_back(std::make_shared<CubeImpl>());
  seq->push_back(std::make_shared<LinearImpl>(4, 1));
  seq->push_back(std::make_shared<SumPerSampleImpl>());
  EnergyNet net(seq);
  net->to(torch::kFloat64);
  EXPECT_FALSE(net->has_fast_reverse());
  auto u = torch::randn({5, 2}, torch::kFloat64), v = torch::randn({5, 2}, torch::kFloat64);
  auto r = net->discrete_gradient(u, v);
  auto lhs = r.H_u - r.H_v, rhs = (r.dgrad * (u - v)).sum(1);
  EXPECT_LT((lhs - rhs).abs().max().item<double>(), 1e-12);
  EXPECT_THROW(net->discrete_gradient(u, v.narrow(1, 0, 1)), std::invalid_argument);
}

}  // namespace
}  // namespace enflow::nn

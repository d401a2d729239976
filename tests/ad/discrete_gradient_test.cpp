// Automatic discrete differentiation of whole networks: the discrete chain rule,
// consistency, symmetry and continuity on random networks of every supported kind, in
// float64 and float32, for pairs from far apart to 1e-14 apart; parameter and input
// derivatives of the discrete gradient against finite differences.
#include "enflow/ad/discrete_gradient.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "enflow/nn/energy_net.h"
#include "support/pairs.h"

namespace enflow::ad {
namespace {

using enflow::testing::log_spaced_pairs;
using torch::Tensor;

// A hand-written energy with products, bilinear forms, powers, exp and log: a nonlinear
// coupled oscillator H(q, p) = ½|p|² + Σ(1 − cos q) + 0.1 Σ q²p² + ¼ qᵀAq + Σ log(1 + p²) e^{−q²}.
class CustomEnergyImpl : public torch::nn::Module {
 public:
  explicit CustomEnergyImpl(int64_t n) : n_(n) {
    A = register_parameter("A", torch::randn({n, n}));
  }
  Var energy(const Var& x) {
    auto q = narrow(x, 1, 0, n_), p = narrow(x, 1, n_, n_);
    auto h = 0.5 * square(p) + (1.0 - cos(q)) + 0.1 * square(q) * square(p) +
             log(1.0 + square(p)) * exp(-1.0 * square(q));
    return sum_per_sample(h) + 0.25 * quadratic(q, A);
  }
  Tensor A;

 private:
  int64_t n_;
};
TORCH_MODULE(CustomEnergy);

struct Case {
  std::string name;
  std::vector<int64_t> state_shape;  // without batch
  bool smooth;
  std::function<std::pair<std::shared_ptr<torch::nn::Module>, EnergyFn>()> make;
};

std::vector<Case> cases() {
  std::vector<Case> c;
  for (std::string act : {"tanh", "sigmoid", "softplus", "silu", "sin", "cos", "relu", "elu"}) {
    c.push_back(
        {"mlp_" + act, {4}, act != "relu" && act != "elu", [act] {
           auto net = nn::make_mlp_energy(nn::MlpOptions(4).hidden({32, 32}).activation(act));
           return std::make_pair(net.ptr(), net->fn());
         }});
  }
  c.push_back({"resnet_tanh", {4}, true, [] {
                 auto net = nn::make_mlp_energy(
                     nn::MlpOptions(4).hidden({32, 32, 32}).residual(true).init("default"));
                 return std::make_pair(net.ptr(), net->fn());
               }});
  c.push_back({"periodic_conv", {20}, true, [] {
                 auto net =
                     nn::make_periodic_conv_energy(nn::PeriodicConvOptions().channels(16).depth(3));
                 return std::make_pair(net.ptr(), net->fn());
               }});
  c.push_back({"custom_products", {6}, true, [] {
                 auto e = CustomEnergy(3);
                 auto fn = [e](const Var& x) mutable { return e->energy(x); };
                 return std::make_pair(std::static_pointer_cast<torch::nn::Module>(e.ptr()),
                                       EnergyFn(fn));
               }});
  return c;
}

class NetworkDiscreteGradient
    : public ::testing::TestWithParam<std::tuple<int, torch::ScalarType>> {
 protected:
  void SetUp() override {
    torch::manual_seed(2024);
    c_ = cases()[std::get<0>(GetParam())];
    auto [mod, fn] = c_.make();
    module_ = mod;
    module_->to(dtype());
    H_ = fn;
  }
  torch::ScalarType dtype() const { return std::get<1>(GetParam()); }
  double tol() const { return dtype() == torch::kFloat64 ? 1e-12 : 1e-5; }
  std::vector<int64_t> batch_shape(int64_t B) const {
    std::vector<int64_t> s{B};
    s.insert(s.end(), c_.state_shape.begin(), c_.state_shape.end());
    return s;
  }
  static Tensor dot(const Tensor& x, const Tensor& y) { return (x * y).flatten(1).sum(1); }
  static Tensor norm(const Tensor& x) { return x.flatten(1).norm(2, 1); }

  Case c_;
  std::shared_ptr<torch::nn::Module> module_;
  EnergyFn H_;
};

TEST_P(NetworkDiscreteGradient, DiscreteChainRule) {
  auto [u, v] = log_spaced_pairs(batch_shape(200), dtype());
  auto r = discrete_gradient(H_, u, v);
  auto err = (r.H_u - r.H_v - dot(r.dgrad, u - v)).abs();
  // Relative to the energy scale: |H(u)|, |H(v)|, or the batch's typical |H| where a
  // sample's energy happens to cross zero.
  auto scale = r.H_u.abs().maximum(r.H_v.abs()).clamp_min(r.H_u.abs().mean().item<double>());
  EXPECT_LE((err / scale).max().item<double>(), tol()) << c_.name;
}

TEST_P(NetworkDiscreteGradient, ConsistentWithTheGradient) {
  auto [u, v] = log_spaced_pairs(batch_shape(64), dtype());
  auto g = gradient(H_, u);
  auto dg = discrete_gradient(H_, u, u).dgrad;
  auto err = norm(dg - g) / norm(g).clamp_min(1e-30);
  EXPECT_LE(err.max().item<double>(), tol()) << c_.name;
  auto Hu = energy(H_, u);
  EXPECT_TRUE(torch::allclose(discrete_gradient(H_, u, v).H_u, Hu)) << c_.name;
}

TEST_P(NetworkDiscreteGradient, Symmetric) {
  auto [u, v] = log_spaced_pairs(batch_shape(64), dtype());
  auto a = discrete_gradient(H_, u, v).dgrad, b = discrete_gradient(H_, v, u).dgrad;
  EXPECT_LE((norm(a - b) / norm(a).clamp_min(1e-30)).max().item<double>(), tol()) << c_.name;
}

// ∇̄H(u, u + εw) → ∇H(u) linearly in ε, down to a rounding floor, with no jump where the
// elementwise rules switch to the midpoint derivative.
TEST_P(NetworkDiscreteGradient, ContinuousAsPairsMerge) {
  if (!c_.smooth) GTEST_SKIP() << "kinked activation";
  auto opts = torch::TensorOptions().dtype(dtype());
  auto u = torch::randn(batch_shape(8), opts);
  auto w = torch::randn(batch_shape(8), opts);
  auto g = gradient(H_, u);
  auto rel = [&](double e) {
    return (norm(discrete_gradient(H_, u, u + e * w).dgrad - g) / norm(g)).max().item<double>();
  };
  const double slope = rel(1e-2) / 1e-2;
  const double floor = dtype() == torch::kFloat64 ? 1e-10 : 5e-4;
  for (int k = 2; k <= 14; ++k) {
    const double e = std::pow(10.0, -k);
    EXPECT_LE(rel(e), 10 * slope * e + floor) << c_.name << " at eps=" << e;
  }
}

// Training back-propagates through the discrete gradient: parameter derivatives of a loss
// on ∇̄H, and input derivatives (second derivatives of H), against central differences.
TEST_P(NetworkDiscreteGradient, DerivativesMatchFiniteDifferences) {
  if (dtype() != torch::kFloat64) GTEST_SKIP() << "finite differences need float64";
  auto opts = torch::TensorOptions().dtype(dtype());
  auto u = torch::randn(batch_shape(5), opts);
  auto v = u + 0.3 * torch::randn(batch_shape(5), opts);
  auto c = torch::randn(batch_shape(5), opts);
  auto loss = [&](const Tensor& uu) {
    return (discrete_gradient(H_, uu, v, true).dgrad * c).sum();
  };

  auto params = module_->parameters();
  auto ui = u.clone().requires_grad_(true);
  auto grads = torch::autograd::grad(
      {loss(ui)},
      [&] {
        std::vector<Tensor> xs(params.begin(), params.end());
        xs.push_back(ui);
        return xs;
      }(),
      {}, false, false, true);

  const double h = 1e-6;
  torch::NoGradGuard ng;
  int checked = 0;
  for (size_t k = 0; k < params.size(); ++k) {
    auto flat = params[k].view(-1);  // parameters are contiguous
    for (int rep = 0; rep < 3; ++rep) {
      const int64_t j = torch::randint(flat.numel(), {1}).item<int64_t>();
      const double orig = flat[j].item<double>();
      flat[j] = orig + h;
      const double lp = loss(u).item<double>();
      flat[j] = orig - h;
      const double lm = loss(u).item<double>();
      flat[j] = orig;
      const double fd = (lp - lm) / (2 * h);
      const double ad = grads[k].defined() ? grads[k].reshape(-1)[j].item<double>() : 0.0;
      EXPECT_NEAR(ad, fd, 1e-6 * std::max(1.0, std::abs(fd))) << c_.name << " param " << k;
      ++checked;
    }
  }
  auto uflat = u.view(-1);
  for (int rep = 0; rep < 6; ++rep) {
    const int64_t j = torch::randint(uflat.numel(), {1}).item<int64_t>();
    auto up = u.clone(), um = u.clone();
    up.view(-1)[j] += h;
    um.view(-1)[j] -= h;
    const double fd = (loss(up).item<double>() - loss(um).item<double>()) / (2 * h);
    EXPECT_NEAR(grads.back().reshape(-1)[j].item<double>(), fd, 1e-6 * std::max(1.0, std::abs(fd)))
        << c_.name << " input " << j;
  }
  EXPECT_GT(checked, 0);
}

std::string case_name(const ::testing::TestParamInfo<NetworkDiscreteGradient::ParamType>& info) {
  return cases()[std::get<0>(info.param)].name +
         (std::get<1>(info.param) == torch::kFloat64 ? "_f64" : "_f32");
}

INSTANTIATE_TEST_SUITE_P(Networks, NetworkDiscreteGradient,
                         ::testing::Combine(::testing::Range(0, static_cast<int>(cases().size())),
                                            ::testing::Values(torch::kFloat64, torch::kFloat32)),
                         case_name);

TEST(DiscreteGradientApi, MismatchedPairsAreClearErrors) {
  auto net = nn::make_mlp_energy(nn::MlpOptions(2).hidden({8}));
  auto u = torch::randn({3, 2});
  EXPECT_THROW(discrete_gradient(net->fn(), u, torch::randn({4, 2})), std::invalid_argument);
  EXPECT_THROW(discrete_gradient(net->fn(), u, torch::randn({3, 2}, torch::kFloat64)),
               std::invalid_argument);
}

TEST(DiscreteGradientApi, EnergyMustBeOnePerSample) {
  EnergyFn bad = [](const Var& x) { return x; };  // [B, 2], not [B]
  EXPECT_THROW(discrete_gradient(bad, torch::randn({3, 2}), torch::randn({3, 2})),
               std::invalid_argument);
}

TEST(DiscreteGradientApi, WorksUnderNoGradGuard) {
  auto net = nn::make_mlp_energy(nn::MlpOptions(2).hidden({8}));
  torch::NoGradGuard ng;
  auto r = discrete_gradient(net->fn(), torch::randn({3, 2}), torch::randn({3, 2}));
  EXPECT_EQ(r.dgrad.sizes(), (std::vector<int64_t>{3, 2}));
}

TEST(DiscreteGradientApi, RunsOnCudaWhenAvailable) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto net = nn::make_mlp_energy(nn::MlpOptions(4).hidden({32, 32}));
  net->to(torch::kCUDA, torch::kFloat64);
  auto [u, v] = log_spaced_pairs({100, 4}, torch::kFloat64);
  u = u.cuda();
  v = v.cuda();
  auto r = discrete_gradient(net->fn(), u, v);
  EXPECT_TRUE(r.dgrad.is_cuda());
  auto err = (r.H_u - r.H_v - (r.dgrad * (u - v)).sum(1)).abs().max().item<double>();
  EXPECT_LE(err, 1e-12 * r.H_u.abs().max().item<double>());
}

}  // namespace
}  // namespace enflow::ad

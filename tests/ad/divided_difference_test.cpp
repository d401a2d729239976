// Every elementwise discrete rule: exact discrete chain rule, consistency with the
// derivative, symmetry, accuracy for near-coincident arguments, smooth second derivatives.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>

#include "ad/divided_difference.h"
#include "enflow/ad/var.h"
#include "support/pairs.h"

namespace enflow::ad {
namespace {

using enflow::testing::eps_of;
using torch::Tensor;

double dd_threshold(torch::ScalarType t) { return dd::midpoint_threshold(t); }

struct Op {
  std::string name;
  std::function<Var(const Var&)> f;
  double lo, hi;     // argument range
  bool smooth;       // C³ on the range (kinked functions are exact but not smooth)
  bool closed_form;  // exact identity, no midpoint threshold
};

std::vector<Op> ops() {
  return {
      {"tanh", [](const Var& x) { return tanh(x); }, -4, 4, true, true},
      {"sigmoid", [](const Var& x) { return sigmoid(x); }, -6, 6, true, true},
      {"softplus", [](const Var& x) { return softplus(x); }, -5, 5, true, false},
      {"silu", [](const Var& x) { return silu(x); }, -4, 4, true, false},
      {"relu", [](const Var& x) { return relu(x); }, -2, 2, false, true},
      {"elu", [](const Var& x) { return elu(x); }, -2, 2, false, true},
      {"exp", [](const Var& x) { return exp(x); }, -3, 3, true, true},
      {"log", [](const Var& x) { return log(x); }, 0.3, 4, true, true},
      {"sin", [](const Var& x) { return sin(x); }, -6, 6, true, true},
      {"cos", [](const Var& x) { return cos(x); }, -6, 6, true, true},
      {"square", [](const Var& x) { return square(x); }, -2, 2, true, true},
      {"pow0", [](const Var& x) { return pow(x, 0); }, -2, 2, true, true},
      {"pow1", [](const Var& x) { return pow(x, 1); }, -2, 2, true, true},
      {"pow3", [](const Var& x) { return pow(x, 3); }, -1.5, 1.5, true, true},
      {"pow5", [](const Var& x) { return pow(x, 5); }, -1.5, 1.5, true, true},
      {"pow_m1", [](const Var& x) { return pow(x, -1); }, 0.5, 3, true, true},
      {"pow_m3", [](const Var& x) { return pow(x, -3); }, 1.0, 3, true, true},
      {"custom_atan",
       [](const Var& x) {
         return elementwise(
             x, [](const Tensor& t) { return torch::atan(t); },
             [](const Tensor& t) { return 1.0 / (1.0 + t * t); });
       },
       -3, 3, true, false},
  };
}

// Discrete derivative D(a, b): the tangent of f seeded with ones.
Tensor ddiff(const Op& op, const Tensor& a, const Tensor& b) {
  return op.f(Var(a, b, torch::ones_like(a))).d();
}
Tensor value(const Op& op, const Tensor& x) { return op.f(Var(x)).a(); }
Tensor derivative(const Op& op, const Tensor& x, int order = 1) {
  auto y = x.detach().requires_grad_(true);
  auto g = torch::autograd::grad({value(op, y).sum()}, {y}, {}, true, true, true)[0];
  if (order == 2) g = torch::autograd::grad({g.sum()}, {y}, {}, true, true, true)[0];
  return g.defined() ? g.detach() : torch::zeros_like(x);
}

class DividedDifference : public ::testing::TestWithParam<std::tuple<int, torch::ScalarType>> {
 protected:
  Op op() const { return ops()[std::get<0>(GetParam())]; }
  torch::ScalarType dtype() const { return std::get<1>(GetParam()); }
  // Pairs a, b in the op's range with |a − b| from ~1 down to 1e-14 and zero.
  std::pair<Tensor, Tensor> pairs() const {
    torch::manual_seed(7);
    const auto o = op();
    auto opts = torch::TensorOptions().dtype(dtype());
    const int64_t n = 600;
    auto a = o.lo + (o.hi - o.lo) * torch::rand({n}, opts);
    auto h = torch::pow(10.0, -torch::linspace(0, 14, n, opts)) * torch::randn({n}, opts);
    h.narrow(0, n - 20, 20).zero_();
    auto b = (a + h).clamp(o.lo, o.hi);
    return {a, b};
  }
};

TEST_P(DividedDifference, DiscreteChainRuleIsExact) {
  const auto o = op();
  auto [a, b] = pairs();
  auto fa = value(o, a), fb = value(o, b);
  auto err = (fa - fb - ddiff(o, a, b) * (a - b)).abs();
  // 64 ulps of the values (or of 1 where the values are small).
  auto scale = fa.abs().maximum(fb.abs()).clamp_min(1.0);
  EXPECT_LE((err / scale).max().item<double>(), 64 * eps_of(dtype())) << o.name;
}

TEST_P(DividedDifference, EqualsDerivativeAtCoincidentArguments) {
  const auto o = op();
  auto [a, b] = pairs();
  auto err = (ddiff(o, a, a) - derivative(o, a)).abs();
  auto scale = derivative(o, a).abs().clamp_min(1.0);
  EXPECT_LE((err / scale).max().item<double>(), 16 * eps_of(dtype())) << o.name;
}

TEST_P(DividedDifference, IsSymmetric) {
  const auto o = op();
  auto [a, b] = pairs();
  auto dab = ddiff(o, a, b), dba = ddiff(o, b, a);
  auto err = (dab - dba).abs() / dab.abs().clamp_min(1.0);
  EXPECT_LE(err.max().item<double>(), 16 * eps_of(dtype())) << o.name;
}

// |D(a, a+h) − f'(a + h/2)| = O(h²): no jump at the threshold of the generic rule.
// Closed forms have no threshold and stay at rounding level; the generic rule's ratio
// loses up to ε/threshold = ε^{4/5}/4320^{1/5} there.
TEST_P(DividedDifference, NearCoincidentArgumentsStayAccurate) {
  const auto o = op();
  if (!o.smooth) GTEST_SKIP() << o.name << " is kinked: exactness is checked above";
  auto opts = torch::TensorOptions().dtype(dtype());
  torch::manual_seed(3);
  auto a = (o.lo + 0.1) + (o.hi - o.lo - 0.2) * torch::rand({64, 1}, opts);
  auto h = torch::pow(10.0, -torch::linspace(1, 14, 80, opts)).unsqueeze(0);
  auto A = a.expand({64, 80}).contiguous();
  auto Bv = A + h;
  auto d = ddiff(o, A, Bv);
  auto fp = derivative(o, 0.5 * (A + Bv));
  const double eps = eps_of(dtype());
  const double floor = o.closed_form ? 64 * eps : 20 * eps / dd_threshold(dtype());
  auto bound = 10.0 * h * h + floor * fp.abs().clamp_min(1.0) * 4.0;
  auto excess = ((d - fp).abs() - bound).max().item<double>();
  EXPECT_LE(excess, 0.0) << o.name;
}

// The rule is differentiable with finite derivatives everywhere, including a = b:
// ∂D/∂a at a = b equals f''(a)/2.
TEST_P(DividedDifference, SecondDerivativesAreFiniteAndCorrect) {
  const auto o = op();
  if (!o.smooth || dtype() != torch::kFloat64) GTEST_SKIP();
  auto [a0, b0] = pairs();
  auto a = a0.detach().requires_grad_(true);
  auto b = b0.detach().requires_grad_(true);
  auto D = ddiff(o, a, b);
  if (!D.requires_grad()) GTEST_SKIP() << o.name << " has a constant divided difference";
  auto g = torch::autograd::grad({D.sum()}, {a, b}, {}, true, false, true);
  ASSERT_TRUE(torch::isfinite(g[0]).all().item<bool>()) << o.name;
  ASSERT_TRUE(torch::isfinite(g[1]).all().item<bool>()) << o.name;
  auto x = a0.detach().requires_grad_(true);
  auto gx = torch::autograd::grad({ddiff(o, x, x.detach()).sum()}, {x}, {}, true, false, true)[0];
  auto half_f2 = 0.5 * derivative(o, a0, 2);
  auto err = (gx - half_f2).abs() / half_f2.abs().clamp_min(1.0);
  EXPECT_LE(err.max().item<double>(), 1e-10) << o.name;
}

// The fused tanh node (one autograd node with a closed-form backward) against the same
// formula recorded op by op, for first and second derivatives, over |a − b| from 1 to 0.
TEST(TanhDividedDifference, FusedBackwardMatchesTheRecordedFormula) {
  torch::manual_seed(3);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t n = 400;
  auto a0 = 8.0 * torch::rand({n}, opts) - 4.0;
  auto h = torch::pow(10.0, -torch::linspace(0, 14, n, opts)) * torch::randn({n}, opts);
  h.narrow(0, n - 10, 10).zero_();
  auto b0 = a0 + h;
  auto w = torch::randn({n}, opts);  // a generic seed for the first-order check
  auto derivs = [&](bool fused) {
    auto a = a0.clone().requires_grad_(true);
    auto b = b0.clone().requires_grad_(true);
    auto ta = torch::tanh(a), tb = torch::tanh(b);
    auto D = fused ? dd::tanh(a, b, ta, tb) : dd::tanhc(a - b) * (1.0 - ta * tb);
    auto g = torch::autograd::grad({(w * D).sum()}, {a, b}, {}, true, true);
    auto gg = torch::autograd::grad({g[0].sum() + g[1].sum()}, {a}, {}, true, false);
    return std::vector<Tensor>{D.detach(), g[0].detach(), g[1].detach(), gg[0].detach()};
  };
  auto f = derivs(true), r = derivs(false);
  const char* what[] = {"D", "dD/da", "dD/db", "d2D"};
  for (size_t i = 0; i < f.size(); ++i) {
    auto err = ((f[i] - r[i]).abs() / r[i].abs().clamp_min(1.0)).max().item<double>();
    EXPECT_LE(err, 1e-11) << what[i];
  }
}

std::string name_of(const ::testing::TestParamInfo<DividedDifference::ParamType>& info) {
  return ops()[std::get<0>(info.param)].name +
         (std::get<1>(info.param) == torch::kFloat64 ? "_f64" : "_f32");
}

INSTANTIATE_TEST_SUITE_P(AllRules, DividedDifference,
                         ::testing::Combine(::testing::Range(0, static_cast<int>(ops().size())),
                                            ::testing::Values(torch::kFloat64, torch::kFloat32)),
                         name_of);

TEST(Activation, UnknownNameIsAClearError) {
  try {
    activation("gelu", Var(torch::zeros({2})));
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("gelu"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("tanh"), std::string::npos);  // lists what exists
  }
}

TEST(Activation, EveryListedNameWorks) {
  for (const auto& n : activation_names()) {
    auto x = Var(torch::rand({3}, torch::kFloat64) + 0.5, torch::rand({3}, torch::kFloat64) + 0.5,
                 torch::ones({3}, torch::kFloat64));
    EXPECT_NO_THROW(activation(n, x)) << n;
  }
}

}  // namespace
}  // namespace enflow::ad

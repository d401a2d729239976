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

// Arguments for the one-pass CPU loops: a over the activation range and into saturation,
// a − b from 1 down to 1e-14 (both sides of each dtype's series cut) and exactly 0.
std::pair<Tensor, Tensor> kernel_arguments(int64_t n) {
  torch::manual_seed(5);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto a = 8.0 * torch::rand({n}, opts) - 4.0;
  a.narrow(0, 0, n / 10).mul_(3.0);  // |a| up to 12: tanh saturates
  auto h = torch::pow(10.0, -torch::linspace(0, 14, n, opts)) * torch::randn({n}, opts);
  h.narrow(0, n - 10, 10).zero_();
  return {a, a + h};
}

// D against (tanh h / h)(1 − tanh a tanh b) in long double, on the rounded tanh values the
// loop is given: the error allowed is the ratio's rounding 2ε/|h| above the cut and a few ε
// below it (|h| clamped at 0.05 stands for both).
TEST(TanhDividedDifference, OnePassValueMatchesALongDoubleReference) {
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    auto [a64, b64] = kernel_arguments(2000);
    auto a = a64.to(dtype), b = b64.to(dtype);
    auto ta = torch::tanh(a), tb = torch::tanh(b);
    auto D = dd::tanh(a, b, ta, tb).to(torch::kFloat64);
    auto ad = a.to(torch::kFloat64), bd = b.to(torch::kFloat64);
    auto tad = ta.to(torch::kFloat64), tbd = tb.to(torch::kFloat64);
    const double eps = eps_of(dtype);
    for (int64_t i = 0; i < a.numel(); ++i) {
      const long double x = ad[i].item<double>(), y = bd[i].item<double>();
      const long double h = x - y, p = tad[i].item<double>(), q = tbd[i].item<double>();
      // tanh(a) − tanh(b) for the given (rounded) values is p − q; its smooth form is
      // tanh(h)(1 − pq) up to the rounding of p and q, which the bound covers.
      const long double T = h == 0 ? 1.0L : std::tanh(h) / h;
      const double ref = static_cast<double>(T * (1.0L - p * q));
      const double bound = 8.0 * eps / std::max(std::fabs(static_cast<double>(h)), 0.05) +
                           8.0 * eps * std::fabs(ref);
      ASSERT_LE(std::fabs(D[i].item<double>() - ref), bound)
          << torch::toString(dtype) << " a = " << static_cast<double>(x)
          << " h = " << static_cast<double>(h);
    }
  }
}

// The one-pass backward (first order, no graph kept: the training path) against the
// node's differentiable backward (graph kept, checked against the recorded formula above)
// in float64.
TEST(TanhDividedDifference, OnePassBackwardMatchesTheDifferentiableBackward) {
  auto [a0, b0] = kernel_arguments(2000);
  auto w = torch::randn_like(a0);
  auto grads = [&](torch::ScalarType dtype, bool keep_graph) {
    auto a = a0.to(dtype).requires_grad_(true), b = b0.to(dtype).requires_grad_(true);
    auto D = dd::tanh(a, b, torch::tanh(a), torch::tanh(b));
    auto g = torch::autograd::grad({(w.to(dtype) * D).sum()}, {a, b}, {}, keep_graph, keep_graph);
    return std::vector<Tensor>{D.detach().to(torch::kFloat64), g[0].detach().to(torch::kFloat64),
                               g[1].detach().to(torch::kFloat64)};
  };
  auto ref = grads(torch::kFloat64, true);
  const char* what[] = {"D", "dD/da", "dD/db"};
  for (auto [dtype, tol] : {std::pair{torch::kFloat64, 1e-12}, std::pair{torch::kFloat32, 2e-5}}) {
    auto got = grads(dtype, false);
    auto scale = w.abs().clamp_min(1.0);  // the seed scales both derivatives
    for (size_t i = 0; i < got.size(); ++i) {
      auto err = ((got[i] - ref[i]).abs() / scale).max().item<double>();
      EXPECT_LE(err, tol) << what[i] << " " << torch::toString(dtype);
    }
  }
}

// Strided inputs (a transposed view) give what their contiguous copies give.
TEST(TanhDividedDifference, OnePassLoopsAcceptStridedInputs) {
  torch::manual_seed(8);
  auto a = torch::randn({64, 48}, torch::kFloat64).t();
  auto b = a + 1e-3 * torch::randn({48, 64}, torch::kFloat64);
  auto D = dd::tanh(a, b, torch::tanh(a), torch::tanh(b));
  auto ac = a.contiguous(), bc = b.contiguous();
  auto Dc = dd::tanh(ac, bc, torch::tanh(ac), torch::tanh(bc));
  EXPECT_TRUE(torch::equal(D, Dc));
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

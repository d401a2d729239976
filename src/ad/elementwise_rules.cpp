#include "ad/elementwise_rules.h"

#include <torch/torch.h>

#include <stdexcept>

#include "ad/divided_difference.h"

namespace enflow::ad {

using torch::Tensor;

namespace {

Tensor one_like(const Tensor& x, const Tensor&) { return torch::ones_like(x); }

std::vector<ElementwiseRule> make_rules() {
  std::vector<ElementwiseRule> r;
  r.push_back({"identity", [](const Tensor& x) { return x; }, one_like,
               [](const Tensor& a, const Tensor&, const Tensor&, const Tensor&) {
                 return torch::ones_like(a);
               }});
  r.push_back({"tanh", [](const Tensor& x) { return torch::tanh(x); },
               [](const Tensor&, const Tensor& t) { return 1.0 - t * t; },
               [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
                 return dd::tanh(a, b, fa, fb);
               },
               [](const Tensor& g, const Tensor& t) { return torch::tanh_backward(g, t); }});
  r.push_back({"sigmoid", [](const Tensor& x) { return torch::sigmoid(x); },
               [](const Tensor&, const Tensor& s) { return s * (1.0 - s); },
               [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
                 // σ(x) = (1 + tanh(x/2))/2, so D_σ(a, b) = D_tanh(a/2, b/2)/4.
                 auto ha = 0.5 * a, hb = 0.5 * b;
                 return 0.25 * dd::tanh(ha, hb, torch::tanh(ha), torch::tanh(hb));
               },
               [](const Tensor& g, const Tensor& s) { return torch::sigmoid_backward(g, s); }});
  r.push_back({"softplus", [](const Tensor& x) { return torch::softplus(x); },
               [](const Tensor& x, const Tensor&) { return torch::sigmoid(x); },
               [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
                 return dd::generic(a, b, fa, fb,
                                    [](const Tensor& m) { return torch::sigmoid(m); });
               }});
  r.push_back({"relu", [](const Tensor& x) { return torch::relu(x); },
               [](const Tensor& x, const Tensor&) { return (x > 0).to(x.dtype()); },
               [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
                 return dd::kinked(a, b, fa, fb,
                                   [](const Tensor& t) { return (t > 0).to(t.dtype()); });
               }});
  r.push_back(
      {"elu", [](const Tensor& x) { return torch::elu(x); },
       [](const Tensor& x, const Tensor& e) {
         return torch::where(x > 0, torch::ones_like(x), e + 1.0);
       },
       [](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
         // Both positive: 1. Both non-positive: divided difference of e^x − 1, exact
         // via sinh. Mixed signs: the plain ratio has no cancellation (f changes
         // sign too).
         auto both_pos = (a > 0).logical_and(b > 0);
         auto both_neg = (a <= 0).logical_and(b <= 0);
         // The clamp keeps the unused branch finite.
         auto neg_m = torch::clamp_max(0.5 * (a + b), 0.0);
         auto d_neg = torch::exp(neg_m) * dd::sinhc(0.5 * (a - b));
         auto mixed = dd::kinked(a, b, fa, fb, [](const Tensor& t) { return torch::ones_like(t); });
         return torch::where(both_pos, torch::ones_like(a), torch::where(both_neg, d_neg, mixed));
       }});
  auto silu_prime = [](const Tensor& m) {
    auto s = torch::sigmoid(m);
    return s * (1.0 + m * (1.0 - s));
  };
  r.push_back({"silu", [](const Tensor& x) { return torch::silu(x); },
               [silu_prime](const Tensor& x, const Tensor&) { return silu_prime(x); },
               [silu_prime](const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb) {
                 return dd::generic(a, b, fa, fb, silu_prime);
               }});
  r.push_back({"exp", [](const Tensor& x) { return torch::exp(x); },
               [](const Tensor&, const Tensor& e) { return e; },
               [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
                 return dd::exp(a, b);
               }});
  r.push_back({"log", [](const Tensor& x) { return torch::log(x); },
               [](const Tensor& x, const Tensor&) { return 1.0 / x; },
               [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
                 return dd::log(a, b);
               }});
  r.push_back({"sin", [](const Tensor& x) { return torch::sin(x); },
               [](const Tensor& x, const Tensor&) { return torch::cos(x); },
               [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
                 return dd::sin(a, b);
               }});
  r.push_back({"cos", [](const Tensor& x) { return torch::cos(x); },
               [](const Tensor& x, const Tensor&) { return -torch::sin(x); },
               [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) {
                 return dd::cos(a, b);
               }});
  r.push_back(
      {"square", [](const Tensor& x) { return x * x; },
       [](const Tensor& x, const Tensor&) { return 2.0 * x; },
       [](const Tensor& a, const Tensor& b, const Tensor&, const Tensor&) { return a + b; }});
  return r;
}

}  // namespace

const std::vector<ElementwiseRule>& elementwise_rules() {
  static const std::vector<ElementwiseRule> rules = make_rules();
  return rules;
}

const ElementwiseRule& elementwise_rule(const std::string& name) {
  for (const auto& r : elementwise_rules()) {
    if (r.name == name) return r;
  }
  std::string list;
  for (const auto& r : elementwise_rules()) list += (list.empty() ? "" : ", ") + r.name;
  throw std::invalid_argument("no discrete-gradient rule for activation '" + name +
                              "' (supported: " + list + ")");
}

}  // namespace enflow::ad

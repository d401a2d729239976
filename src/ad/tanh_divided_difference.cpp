// The divided difference of tanh as one autograd node. Built from primitive ops, training
// through D(a, b) would record ~15 elementwise nodes per activation (the series/closed-form
// switch of tanhc included) and replay each in the backward pass. Here, on CPU, the value
// and the first-order backward are one pass each (tanh_divided_difference_kernel.cpp);
// tensor operations remain for other devices and for a backward that is itself
// differentiated (create_graph), from a closed form of ∂D/∂a and ∂D/∂b.
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "ad/divided_difference.h"
#include "ad/tanh_divided_difference_kernel.h"

namespace enflow::ad::dd {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// T'(h) for T(h) = tanh(h)/h. Closed form (1 − T − T²h²)/h loses ~ε/h² relatively to
// cancellation; the odd series −2h/3 + 8h³/15 − 34h⁵/105 + 496h⁷/2835 drops 0.133·h⁸
// relatively. The cut balances the two: (ε/0.133)^{1/10} (0.033 in float64, 0.25 in float32).
Tensor tanhc_prime(const Tensor& h, const Tensor& T) {
  const double eps = h.scalar_type() == torch::kFloat64 ? std::numeric_limits<double>::epsilon()
                                                        : std::numeric_limits<float>::epsilon();
  const double cut = std::pow(eps / 0.133, 0.1);
  auto small = h.abs() < cut;
  auto hs = torch::where(small, torch::ones_like(h), h);  // keeps the unused branch finite
  auto Ts = torch::where(small, torch::ones_like(T), T);
  auto closed = (1.0 - Ts - Ts * Ts * hs * hs) / hs;
  auto h2 = h * h;
  auto series = h * (-2.0 / 3 + h2 * (8.0 / 15 + h2 * (-34.0 / 105 + h2 * (496.0 / 2835))));
  return torch::where(small, series, closed);
}

// tanh(h)/h as a value (no graph): tanh keeps its relative accuracy down to the smallest
// |h| (tanh h = h(1 − h²/3 + ...) is computed without cancellation), so the ratio is as
// accurate as the series and only h = 0 needs a branch. Five passes over the tensor instead
// of tanhc's dozen; tanhc (series below the cut) stays where the graph is differentiated,
// since the derivative of the plain ratio cancels catastrophically at small h.
Tensor tanhc_value(const Tensor& h) {
  auto zero = h == 0;
  auto hs = h.masked_fill(zero, 1.0);
  return torch::tanh(hs).div_(hs).masked_fill_(zero, 1.0);
}

// T(h)(1 − t_a t_b) in two passes.
Tensor scaled(const Tensor& T, const Tensor& ta, const Tensor& tb) {
  return torch::addcmul(T, T * ta, tb, -1.0);
}

class TanhDividedDifference : public torch::autograd::Function<TanhDividedDifference> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& a, const Tensor& b, const Tensor& ta,
                        const Tensor& tb) {
    ctx->save_for_backward({a, b, ta, tb});
    if (kernel::applies(a, b, ta, tb)) return kernel::tanh_value(a, b, ta, tb);
    auto T = tanhc_value(a - b);
    ctx->saved_data["T"] = T;
    return scaled(T, ta, tb);
  }

  // D = T(h)·(1 − t_a t_b), h = a − b:
  //   ∂D/∂a =  T'(h)(1 − t_a t_b) − T(h)(1 − t_a²) t_b,
  //   ∂D/∂b = −T'(h)(1 − t_a t_b) − T(h)(1 − t_b²) t_a.
  // With create_graph the backward is recomputed from the saved inputs so that it is
  // itself differentiable (D stays twice differentiable, as dd:: promises).
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    auto s = ctx->get_saved_variables();
    const auto &a = s[0], &b = s[1], &ta = s[2], &tb = s[3];
    const bool graph = torch::GradMode::is_enabled();
    // Autograd hands in grad with the output's shape and dtype, so where forward ran the
    // loop, so does this (and T was saved only where it did not).
    if (!graph && kernel::applies(a, b, ta, tb)) {
      auto [ga, gb] = kernel::tanh_grads(grad[0], a, b, ta, tb);
      return {ga, gb, Tensor(), Tensor()};
    }
    auto h = a - b;
    auto T = graph ? tanhc(h) : ctx->saved_data["T"].toTensor();
    auto dT = tanhc_prime(h, T);
    auto dTP = dT * (1.0 - ta * tb);
    auto ga = grad[0] * (dTP - T * (1.0 - ta * ta) * tb);
    auto gb = grad[0] * (-dTP - T * (1.0 - tb * tb) * ta);
    // t_a, t_b are tanh(a), tanh(b): their dependence is in the total derivatives above.
    return {ga, gb, Tensor(), Tensor()};
  }
};

}  // namespace

torch::Tensor tanh(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& ta,
                   const torch::Tensor& tb) {
  if (torch::GradMode::is_enabled() && (a.requires_grad() || b.requires_grad())) {
    return TanhDividedDifference::apply(a, b, ta, tb);
  }
  if (kernel::applies(a, b, ta, tb)) return kernel::tanh_value(a, b, ta, tb);
  // tanh a − tanh b = tanh(a − b)(1 − tanh a tanh b): no cancellation, no threshold.
  // h = a − b carries no gradient here, so its value suffices.
  return scaled(tanhc_value(a - b), ta, tb);
}

}  // namespace enflow::ad::dd

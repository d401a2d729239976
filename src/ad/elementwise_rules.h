// The elementwise functions that have a discrete rule, each defined once: its value, its
// derivative and its divided difference. Shared by ad::Var (tangent propagation through
// any energy) and nn's layer-level reverse passes (the fast path for layer stacks), so
// both compute the same numbers.
#pragma once

#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace enflow::ad {

struct ElementwiseRule {
  using Tensor = torch::Tensor;
  std::string name;
  std::function<Tensor(const Tensor& x)> f;
  /// f'(x), given x and f(x) (tanh, sigmoid and exp reuse the value).
  std::function<Tensor(const Tensor& x, const Tensor& fx)> fprime;
  /// D(a, b) with f(a) − f(b) = D·(a − b), D(a, a) = f'(a), symmetric, differentiable.
  std::function<Tensor(const Tensor& a, const Tensor& b, const Tensor& fa, const Tensor& fb)> dd;
  /// g·f'(x) from g and f(x) as one fused ATen op with its own (fused) derivative, where
  /// ATen has one (tanh, sigmoid); empty otherwise. The gradient's reverse pass then
  /// records one node per activation instead of three (f', then the product).
  std::function<Tensor(const Tensor& g, const Tensor& fx)> backward_from_value = {};
};

/// Every rule, in a fixed order.
const std::vector<ElementwiseRule>& elementwise_rules();

/// The rule called `name`; throws std::invalid_argument listing the known names.
const ElementwiseRule& elementwise_rule(const std::string& name);

}  // namespace enflow::ad

#include "models/force_field.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "enflow/models/force.h"

namespace enflow::models {

const std::vector<std::string>& force_kind_names() {
  static const std::vector<std::string> names{"none", "learned", "learned_xt", "given"};
  return names;
}

ForceKind parse_force_kind(const std::string& name) {
  const auto& names = force_kind_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<ForceKind>(i);
  throw std::invalid_argument("unknown model.force '" + name +
                              "'; known: none, learned, learned_xt, given");
}

std::string force_kind_name(ForceKind kind) {
  return force_kind_names().at(static_cast<size_t>(kind));
}

namespace detail {

ForceFieldImpl::ForceFieldImpl(int64_t points, int64_t hidden) : points_(points) {
  // PyTorch's default initialization (phlearn's Conv1d layers), except the output layer:
  // zero, so the force starts at f = 0 and the model starts as the unforced one.
  l1_ = register_module("l1", torch::nn::Linear(3, hidden));
  l2_ = register_module("l2", torch::nn::Linear(hidden, hidden));
  l3_ = register_module("l3", torch::nn::Linear(hidden, 1));
  torch::NoGradGuard no_grad;
  l3_->weight.zero_();
  l3_->bias.zero_();
}

at::Tensor ForceFieldImpl::forward(const at::Tensor& t) {
  const int64_t d = points_;
  const auto opts = l1_->weight.options();
  // The basis in float64, then the network's dtype (a float64 model sees no float32 rounding).
  auto x = torch::arange(d, torch::kFloat64) * (2.0 * M_PI / static_cast<double>(d));
  auto basis = torch::stack({torch::sin(x), torch::cos(x)}, 1).to(opts);  // [d, 2]
  const bool single = !t.defined();
  auto times = single ? torch::zeros({1}, opts) : t.reshape({-1}).to(opts);
  const int64_t B = times.size(0);
  auto in =
      torch::cat({basis.unsqueeze(0).expand({B, d, 2}), times.reshape({B, 1, 1}).expand({B, d, 1})},
                 2);  // [B, d, 3]
  auto f = l3_->forward(torch::tanh(l2_->forward(torch::tanh(l1_->forward(in))))).squeeze(2);
  return single ? f.squeeze(0) : f;
}

}  // namespace detail
}  // namespace enflow::models

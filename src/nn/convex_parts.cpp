#include "nn/convex_parts.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "enflow/nn/icnn.h"

namespace enflow::nn {

const std::vector<std::string>& convex_activation_names() {
  static const std::vector<std::string> n = {"softplus", "relu", "elu", "exp"};
  return n;
}

at::Tensor nonnegative(const at::Tensor& raw) { return torch::softplus(raw); }

at::Tensor nonnegative_inverse(const at::Tensor& w) {
  if (!(w > 0).all().item<bool>()) {
    throw std::invalid_argument("nonnegative_inverse: weights must be positive");
  }
  // softplus⁻¹(w) = log(expm1(w)) = w + log(−expm1(−w)), the latter stable for large w.
  return w + torch::log(-torch::expm1(-w));
}

namespace detail {

ad::Var affine(const ad::Var& x, const at::Tensor& W, const at::Tensor& b) {
  if (W.dim() == 2) return ad::linear(x, W, b);
  return ad::conv1d_circular(x, W, b);
}

at::Tensor init_weight(int64_t out, int64_t in, int64_t kernel) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in * std::max<int64_t>(kernel, 1)));
  auto shape = kernel > 0 ? std::vector<int64_t>{out, in, kernel} : std::vector<int64_t>{out, in};
  return torch::empty(shape).uniform_(-bound, bound);
}

at::Tensor init_nonnegative_raw(int64_t out, int64_t in, int64_t kernel) {
  auto w = init_weight(out, in, kernel).abs().clamp_min(1e-4);
  return nonnegative_inverse(w);
}

void check_convex_activation(const std::string& name, const std::string& who) {
  const auto& ok = convex_activation_names();
  if (std::find(ok.begin(), ok.end(), name) == ok.end()) {
    throw std::invalid_argument(who + ": activation '" + name +
                                "' is not convex and non-decreasing (use softplus, relu, elu or "
                                "exp)");
  }
}

void check_kernel(int64_t kernel, const std::string& who) {
  if (kernel < 0 || (kernel > 0 && kernel % 2 == 0)) {
    throw std::invalid_argument(who + ": kernel must be 0 (dense) or odd and positive, got " +
                                std::to_string(kernel));
  }
}

}  // namespace detail
}  // namespace enflow::nn

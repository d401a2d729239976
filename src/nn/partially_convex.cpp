#include "enflow/nn/partially_convex.h"

#include <torch/torch.h>

#include <stdexcept>

#include "enflow/nn/icnn.h"
#include "nn/convex_parts.h"

namespace enflow::nn {

PartiallyConvexNetImpl::PartiallyConvexNetImpl(const PartiallyConvexOptions& o) : options_(o) {
  const std::string who = "partially convex network";
  if (o.x_dim() < 1 || o.y_dim() < 1)
    throw std::invalid_argument(who + ": dimensions must be >= 1");
  if (o.hidden().empty()) throw std::invalid_argument(who + ": at least one hidden layer");
  for (auto h : o.hidden()) {
    if (h < 1) throw std::invalid_argument(who + ": hidden widths must be >= 1");
  }
  detail::check_kernel(o.kernel(), who);
  detail::check_convex_activation(o.activation(), who);
  ad::activation(o.x_activation(), ad::Var(torch::zeros({1})));  // validates the name
  const bool grid = o.kernel() > 0;
  if (grid && o.x_dim() != o.y_dim()) {
    throw std::invalid_argument(who + ": the periodic variant needs x and y on the same grid");
  }
  // Widths: u_k has nu[k] features (channels), z_{k+1} has nz[k]; the last layer is the output.
  const auto& h = o.hidden();
  const int64_t L = static_cast<int64_t>(h.size());
  std::vector<int64_t> nu{grid ? 1 : o.x_dim()}, nz(h.begin(), h.end());
  for (auto w : h) nu.push_back(w);
  nz.push_back(1);
  const int64_t ny = grid ? 1 : o.y_dim();
  const int64_t kx = grid ? o.kernel() : 0, k1 = grid ? 1 : 0;
  auto name = [](const char* p, int64_t k) { return std::string(p) + std::to_string(k); };
  for (int64_t k = 0; k < L; ++k) {  // x path
    At_.push_back(
        register_parameter(name("At", k), detail::init_weight(nu[k + 1], nu[k], k == 0 ? kx : k1)));
    at_.push_back(register_parameter(name("at", k), torch::zeros({nu[k + 1]})));
  }
  for (int64_t k = 0; k <= L; ++k) {
    const int64_t ku = k == 0 ? kx : k1;  // maps reading u₀ = x see the stencil
    if (k > 0) {
      V_.push_back(
          register_parameter(name("V", k), detail::init_nonnegative_raw(nz[k], nz[k - 1], k1)));
      B_.push_back(register_parameter(name("B", k), detail::init_weight(nz[k - 1], nu[k], ku)));
      beta_.push_back(register_parameter(name("beta", k), torch::zeros({nz[k - 1]})));
    }
    C_.push_back(register_parameter(name("C", k), detail::init_weight(nz[k], ny, kx)));
    D_.push_back(register_parameter(name("D", k), detail::init_weight(ny, nu[k], ku)));
    // δ = 1: at initialization the y path passes y through roughly unchanged.
    delta_.push_back(register_parameter(name("delta", k), torch::ones({ny})));
    E_.push_back(register_parameter(name("E", k), detail::init_weight(nz[k], nu[k], ku)));
    e_.push_back(register_parameter(name("e", k), torch::zeros({nz[k]})));
  }
}

ad::Var PartiallyConvexNetImpl::forward(const ad::Var& x, const ad::Var& y) {
  const auto& o = options_;
  if (x.dim() != 2 || x.sizes()[1] != o.x_dim() || y.dim() != 2 || y.sizes()[1] != o.y_dim() ||
      x.sizes()[0] != y.sizes()[0]) {
    throw std::invalid_argument("partially convex network: expected x [batch, " +
                                std::to_string(o.x_dim()) + "] and y [batch, " +
                                std::to_string(o.y_dim()) + "]");
  }
  const bool grid = o.kernel() > 0;
  ad::Var u = grid ? ad::unsqueeze(x, 1) : x;
  const ad::Var yy = grid ? ad::unsqueeze(y, 1) : y;
  const size_t L = o.hidden().size();
  ad::Var z;
  for (size_t k = 0; k <= L; ++k) {
    auto pre = detail::affine(yy * detail::affine(u, D_[k], delta_[k]), C_[k], {}) +
               detail::affine(u, E_[k], e_[k]);
    if (k > 0) {
      auto gate = ad::softplus(detail::affine(u, B_[k - 1], beta_[k - 1]));
      pre = pre + detail::affine(z * gate, nonnegative(V_[k - 1]), {});
    }
    if (k == L) return ad::sum_per_sample(pre);
    z = ad::activation(o.activation(), pre);
    u = ad::activation(o.x_activation(), detail::affine(u, At_[k], at_[k]));
  }
  throw std::logic_error("unreachable");
}

at::Tensor PartiallyConvexNetImpl::forward(const at::Tensor& x, const at::Tensor& y) {
  return forward(ad::Var(x), ad::Var(y)).a();
}

}  // namespace enflow::nn

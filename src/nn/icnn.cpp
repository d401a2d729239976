#include "enflow/nn/icnn.h"

#include <torch/torch.h>

#include <stdexcept>

#include "nn/convex_parts.h"

namespace enflow::nn {

IcnnImpl::IcnnImpl(const IcnnOptions& o) : options_(o) {
  const std::string who = "ICNN";
  if (o.input_dim() < 1) throw std::invalid_argument(who + ": input_dim must be >= 1");
  if (o.hidden().empty()) throw std::invalid_argument(who + ": at least one hidden layer");
  for (auto h : o.hidden()) {
    if (h < 1) throw std::invalid_argument(who + ": hidden widths must be >= 1");
  }
  detail::check_kernel(o.kernel(), who);
  detail::check_convex_activation(o.activation(), who);
  // Dense: the input has input_dim features. Periodic: one channel, convolved with the
  // stencil; hidden-to-hidden maps are 1×1 so each site sees a fixed neighbourhood.
  const bool grid = o.kernel() > 0;
  const int64_t in = grid ? 1 : o.input_dim();
  const int64_t k_in = grid ? o.kernel() : 0, k_z = grid ? 1 : 0;
  std::vector<int64_t> widths = o.hidden();
  widths.push_back(1);  // output
  for (size_t k = 0; k < widths.size(); ++k) {
    A_.push_back(
        register_parameter("A" + std::to_string(k), detail::init_weight(widths[k], in, k_in)));
    b_.push_back(register_parameter("b" + std::to_string(k), torch::zeros({widths[k]})));
    if (k > 0) {
      V_.push_back(register_parameter("V" + std::to_string(k),
                                      detail::init_nonnegative_raw(widths[k], widths[k - 1], k_z)));
    }
  }
}

ad::Var IcnnImpl::forward(const ad::Var& x) {
  const bool grid = options_.kernel() > 0;
  if (x.dim() != 2 || x.sizes()[1] != options_.input_dim()) {
    throw std::invalid_argument("ICNN: expected input [batch, " +
                                std::to_string(options_.input_dim()) + "]");
  }
  const ad::Var in = grid ? ad::unsqueeze(x, 1) : x;
  const auto& act = options_.activation();
  ad::Var z = ad::activation(act, detail::affine(in, A_[0], b_[0]));
  const size_t L = A_.size() - 1;
  for (size_t k = 1; k <= L; ++k) {
    auto pre = detail::affine(z, nonnegative(V_[k - 1]), {}) + detail::affine(in, A_[k], b_[k]);
    z = k < L ? ad::activation(act, pre) : pre;
  }
  return ad::sum_per_sample(z);  // [B, 1] or [B, 1, L] → [B]
}

NegatedConvexImpl::NegatedConvexImpl(Layer convex, bool softplus_output, double curvature)
    : convex_(register_module("convex", std::move(convex))),
      softplus_(softplus_output),
      curvature_(curvature) {
  if (!(curvature >= 0)) throw std::invalid_argument("concave energy: curvature must be >= 0");
}

ad::Var NegatedConvexImpl::forward(const ad::Var& x) {
  auto f = convex_->forward(x);
  auto S = softplus_ ? -ad::softplus(f) : -f;
  if (curvature_ > 0) S = S - ad::sum_per_sample(ad::square(x)) * (0.5 * curvature_);
  return S;
}

EnergyNet make_concave_energy(const IcnnOptions& options, const std::string& output,
                              double curvature) {
  if (output != "linear" && output != "softplus") {
    throw std::invalid_argument(
        "concave energy: output must be 'linear' (S = -ICNN) or 'softplus' (S = "
        "-softplus(ICNN)), got '" +
        output + "'");
  }
  return EnergyNet(std::make_shared<NegatedConvexImpl>(std::make_shared<IcnnImpl>(options),
                                                       output == "softplus", curvature));
}

}  // namespace enflow::nn

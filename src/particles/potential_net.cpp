#include "enflow/particles/potential_net.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace enflow::particles {

PotentialNetImpl::PotentialNetImpl(const PotentialNetOptions& o) : options_(o) {
  if (o.dim() < 1 || o.width() < 1 || o.depth() < 1)
    throw std::invalid_argument("potential network: dim, width and depth must be >= 1");
  const int64_t in = o.dim() + (o.time_dependent() ? 1 : 0);
  for (int64_t l = 0; l < o.depth(); ++l) {
    const int64_t fan_in = l == 0 ? in : o.width();
    const double a = std::sqrt(6.0 / static_cast<double>(fan_in + o.width()));  // Glorot
    w_.push_back(register_parameter(
        "w" + std::to_string(l), (torch::rand({o.width(), fan_in}, torch::kFloat64) * 2 - 1) * a));
    b_.push_back(
        register_parameter("b" + std::to_string(l), torch::zeros({o.width()}, torch::kFloat64)));
  }
  out_w_ = register_parameter("out_w", torch::zeros({o.width()}, torch::kFloat64));
  out_b_ = register_parameter("out_b", torch::zeros({1}, torch::kFloat64));
  quad_ = register_parameter("quad", torch::zeros({1}, torch::kFloat64));
}

at::Tensor PotentialNetImpl::first_layer(const at::Tensor& x, double t) const {
  if (x.dim() != 2 || x.size(1) != options_.dim())
    throw std::invalid_argument("potential network: expected points [N, " +
                                std::to_string(options_.dim()) + "]");
  auto z = torch::addmm(b_[0], x, w_[0].narrow(1, 0, options_.dim()).t());
  if (options_.time_dependent()) z = z + t * w_[0].select(1, options_.dim());
  return z;
}

at::Tensor PotentialNetImpl::forward(const at::Tensor& x, double t) {
  auto h = torch::tanh(first_layer(x, t));
  for (size_t l = 1; l < w_.size(); ++l) h = torch::tanh(torch::addmm(b_[l], h, w_[l].t()));
  return torch::mv(h, out_w_) + out_b_ + 0.5 * quad_ * x.pow(2).sum(1);
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> PotentialNetImpl::derivatives(const at::Tensor& x,
                                                                             double t) {
  const int64_t d = options_.dim();
  // Layer 1: ∇z = W (the x columns), Δz = 0.
  auto z = first_layer(x, t);
  auto jz = w_[0].narrow(1, 0, d).unsqueeze(0);  // [1, w, d], broadcast over the batch
  torch::Tensor lz;                              // undefined: zero
  torch::Tensor h, jh, lh;
  for (size_t l = 0;; ++l) {
    h = torch::tanh(z);
    auto s1 = 1 - h.pow(2);  // tanh'
    auto s2 = -2 * h * s1;   // tanh''
    jh = s1.unsqueeze(2) * jz;
    lh = s2 * jz.pow(2).sum(2);
    if (lz.defined()) lh = lh + s1 * lz;
    if (l + 1 == w_.size()) break;
    z = torch::addmm(b_[l + 1], h, w_[l + 1].t());
    jz = torch::matmul(w_[l + 1], jh);  // [w, w] × [N, w, d]
    lz = torch::matmul(lh, w_[l + 1].t());
  }
  auto phi = torch::mv(h, out_w_) + out_b_ + 0.5 * quad_ * x.pow(2).sum(1);
  auto grad = (jh * out_w_.view({1, -1, 1})).sum(1) + quad_ * x;
  auto lap = torch::mv(lh, out_w_) + quad_ * static_cast<double>(d);
  return {phi, grad, lap};
}

}  // namespace enflow::particles

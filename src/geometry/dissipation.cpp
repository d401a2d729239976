#include "enflow/geometry/dissipation.h"

#include <torch/torch.h>

#include <stdexcept>
#include <utility>

namespace enflow::geometry {

namespace {

void check_pair(const at::Tensor& x, const at::Tensor& xs) {
  if (x.dim() != 2 || !x.sizes().equals(xs.sizes())) {
    throw std::invalid_argument("dissipation potential: x and x* must both be [batch, dim]");
  }
}

// The tensor to differentiate with respect to: xs itself when it carries a graph (so the
// result stays differentiable in whatever produced it, e.g. x* = ∂S/∂x), else a leaf.
at::Tensor as_input(const at::Tensor& t) {
  return t.requires_grad() ? t : t.detach().requires_grad_(true);
}

struct RawAtPointAndZero {
  at::Tensor f, f0;  // Ξ̃(x, x*), Ξ̃(x, 0)
  at::Tensor g, g0;  // ∂Ξ̃/∂x* at both
};

// Ξ̃ and its x*-gradient at (x, x*) and (x, 0) in one batched pass.
RawAtPointAndZero raw_at_point_and_zero(nn::PartiallyConvexNetImpl& net, const at::Tensor& x,
                                        const at::Tensor& xs, bool create_graph) {
  check_pair(x, xs);
  torch::AutoGradMode grad_on(true);
  auto y = as_input(xs);
  auto y0 = torch::zeros_like(xs).requires_grad_(true);
  auto f = net.forward(torch::cat({x, x}), torch::cat({y, y0}));
  auto g = torch::autograd::grad({f.sum()}, {y, y0}, {}, create_graph, create_graph, true);
  const int64_t B = x.size(0);
  RawAtPointAndZero r;
  r.f = f.narrow(0, 0, B);
  r.f0 = f.narrow(0, B, B);
  r.g = g[0].defined() ? g[0] : torch::zeros_like(xs);
  r.g0 = g[1].defined() ? g[1] : torch::zeros_like(xs);
  return r;
}

}  // namespace

LearnedDissipationImpl::LearnedDissipationImpl(const nn::PartiallyConvexOptions& options) {
  if (options.x_dim() != options.y_dim()) {
    throw std::invalid_argument("learned dissipation: x and x* must have the same dimension");
  }
  net_ = register_module("raw", nn::PartiallyConvexNet(options));
}

at::Tensor LearnedDissipationImpl::potential(const at::Tensor& x, const at::Tensor& xs,
                                             bool create_graph) {
  auto r = raw_at_point_and_zero(*net_, x, xs, create_graph);
  auto xi = r.f - r.f0 - (xs * r.g0).sum(1);
  return create_graph ? xi : xi.detach();
}

at::Tensor LearnedDissipationImpl::gradient(const at::Tensor& x, const at::Tensor& xs,
                                            bool create_graph) {
  auto r = raw_at_point_and_zero(*net_, x, xs, create_graph);
  return r.g - r.g0;
}

AnalyticDissipationImpl::AnalyticDissipationImpl(std::string kind, PotentialFn potential,
                                                 PotentialFn gradient)
    : kind_(std::move(kind)), potential_(std::move(potential)), gradient_(std::move(gradient)) {
  if (!potential_ || !gradient_) {
    throw std::invalid_argument("analytic dissipation '" + kind_ + "': both functions are needed");
  }
}

at::Tensor AnalyticDissipationImpl::potential(const at::Tensor& x, const at::Tensor& xs,
                                              bool create_graph) {
  check_pair(x, xs);
  auto xi = potential_(x, xs);
  return create_graph ? xi : xi.detach();
}

at::Tensor AnalyticDissipationImpl::gradient(const at::Tensor& x, const at::Tensor& xs,
                                             bool create_graph) {
  check_pair(x, xs);
  auto g = gradient_(x, xs);
  return create_graph ? g : g.detach();
}

}  // namespace enflow::geometry

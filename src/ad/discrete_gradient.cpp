#include "enflow/ad/discrete_gradient.h"

#include <torch/torch.h>

#include <sstream>
#include <stdexcept>

namespace enflow::ad {

namespace {

std::string shape_str(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

torch::Tensor per_sample(const Var& out, const char* what) {
  if (out.a().dim() > 1) {
    throw std::invalid_argument(std::string(what) +
                                ": the energy must return one value per sample " +
                                "([batch]), got shape " + shape_str(out.a()));
  }
  return out.a();
}

// The input to differentiate with respect to: u itself when it already carries a graph
// (so Jacobians with respect to u flow through), otherwise a fresh leaf.
torch::Tensor as_input(const torch::Tensor& u) {
  return u.requires_grad() ? u : u.detach().requires_grad_(true);
}

}  // namespace

torch::Tensor energy(const EnergyFn& H, const torch::Tensor& u) {
  return per_sample(H(Var(u)), "energy");
}

torch::Tensor gradient(const EnergyFn& H, const torch::Tensor& u, bool create_graph) {
  torch::AutoGradMode grad_on(true);
  auto x = as_input(u);
  auto h = per_sample(H(Var(x)), "gradient");
  if (!h.requires_grad()) return torch::zeros_like(u);  // energy independent of u
  auto g = torch::autograd::grad({h.sum()}, {x}, {}, create_graph, create_graph, true)[0];
  return g.defined() ? g : torch::zeros_like(u);
}

void check_pair(const torch::Tensor& u, const torch::Tensor& v, const char* what) {
  if (!u.sizes().equals(v.sizes())) {
    throw std::invalid_argument(std::string(what) + ": u has shape " + shape_str(u) +
                                " but v has " + shape_str(v));
  }
  if (u.scalar_type() != v.scalar_type() || u.device() != v.device()) {
    throw std::invalid_argument(std::string(what) + ": u and v must share dtype and device");
  }
}

DiscreteGradient discrete_gradient(const EnergyFn& H, const torch::Tensor& u,
                                   const torch::Tensor& v, bool create_graph) {
  check_pair(u, v, "discrete_gradient");
  torch::AutoGradMode grad_on(true);
  // The discrete tangent is linear in its seed d0, and the discrete Jacobians depend on
  // (u, v) and the parameters only, so ∂(tangent out)/∂d0 is the discrete gradient,
  // and autograd's reverse pass through the tangent computation is the discrete
  // reverse pass. Seeding with u − v makes the tangent out equal H(u) − H(v).
  auto d0 = (u - v).detach().requires_grad_(true);
  Var out = H(Var(u, v, d0));
  DiscreteGradient r;
  if (!out.paired()) {  // energy ignores its input
    r.H_u = r.H_v = per_sample(out, "discrete_gradient");
    r.dgrad = torch::zeros_like(u);
    return r;
  }
  r.H_u = per_sample(out, "discrete_gradient");
  r.H_v = out.b();
  torch::Tensor g;
  if (out.d().requires_grad()) {
    // retain_graph: H_u and H_v share graph nodes with the tangent and must stay usable.
    g = torch::autograd::grad({out.d().sum()}, {d0}, {}, true, create_graph, true)[0];
  }
  r.dgrad = g.defined() ? g : torch::zeros_like(u);
  return r;
}

EnergyDerivatives derivatives_of(const EnergyFn& H) {
  return {[H](const torch::Tensor& u, bool cg) { return gradient(H, u, cg); },
          [H](const torch::Tensor& u, const torch::Tensor& v, bool cg) {
            return discrete_gradient(H, u, v, cg);
          }};
}

}  // namespace enflow::ad

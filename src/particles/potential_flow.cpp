#include "enflow/particles/potential_flow.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace enflow::particles {
namespace {

/// RK4 for (x, ℓ): dx/dt = ∇φ, dℓ/dt = −Δφ from t0 to t1 with ℓ(t0) = 0; returns (x(t1), ℓ(t1)).
std::pair<torch::Tensor, torch::Tensor> integrate(const PotentialField& field, torch::Tensor x,
                                                  double t0, double t1, int64_t steps,
                                                  bool create_graph,
                                                  std::vector<at::Tensor>* path) {
  if (x.dim() != 2) throw std::invalid_argument("potential flow: expected points [N, d]");
  if (steps < 1) throw std::invalid_argument("potential flow: steps must be >= 1");
  if (!torch::isfinite(x).all().item<bool>())
    throw std::invalid_argument("potential flow: points are not finite");
  const double h = (t1 - t0) / static_cast<double>(steps);
  auto ell = torch::zeros({x.size(0)}, x.options());
  auto f = [&](const torch::Tensor& y, double t) {
    auto gl = field(y, t, create_graph);
    return std::make_pair(gl.first, -gl.second);
  };
  if (path) path->push_back(x.detach());
  for (int64_t k = 0; k < steps; ++k) {
    const double t = t0 + k * h;
    auto k1 = f(x, t);
    auto k2 = f(x + 0.5 * h * k1.first, t + 0.5 * h);
    auto k3 = f(x + 0.5 * h * k2.first, t + 0.5 * h);
    auto k4 = f(x + h * k3.first, t + h);
    x = x + (h / 6) * (k1.first + 2 * k2.first + 2 * k3.first + k4.first);
    ell = ell + (h / 6) * (k1.second + 2 * k2.second + 2 * k3.second + k4.second);
    if (!create_graph) {
      x = x.detach();
      ell = ell.detach();
    }
    if (path) path->push_back(x.detach());
  }
  return {x, ell};
}

}  // namespace

std::pair<at::Tensor, at::Tensor> gradient_and_laplacian(const Potential& phi, const at::Tensor& x,
                                                         double t, bool create_graph) {
  torch::AutoGradMode on(true);  // also under a caller's NoGradGuard
  auto xr = x.requires_grad() ? x : x.detach().requires_grad_(true);
  auto value = phi(xr, t);
  if (value.dim() != 1 || value.size(0) != x.size(0))
    throw std::invalid_argument("potential flow: φ must return one value per point");
  auto g = torch::autograd::grad({value.sum()}, {xr}, {}, /*retain_graph=*/true,
                                 /*create_graph=*/true)[0];
  auto lap = torch::zeros({x.size(0)}, x.options());
  for (int64_t k = 0; k < x.size(1); ++k) {
    // ∂²φ/∂x_k²: one reverse pass per dimension gives the exact trace of the Hessian.
    auto gk = torch::autograd::grad({g.select(1, k).sum()}, {xr}, {}, /*retain_graph=*/true,
                                    create_graph, /*allow_unused=*/true)[0];
    if (gk.defined()) lap = lap + gk.select(1, k);
  }
  if (!create_graph) return {g.detach(), lap.detach()};
  return {g, lap};
}

at::Tensor standard_normal_log_prob(const at::Tensor& z) {
  return -0.5 * z.pow(2).sum(1) - 0.5 * static_cast<double>(z.size(1)) * std::log(2 * M_PI);
}

PotentialField autograd_field(const Potential& phi) {
  return [phi](const at::Tensor& x, double t, bool create_graph) {
    return gradient_and_laplacian(phi, x, t, create_graph);
  };
}

Transport push_forward(const PotentialField& field, const at::Tensor& z, double horizon,
                       int64_t steps, bool create_graph, std::vector<at::Tensor>* path) {
  auto [x, ell] = integrate(field, z, 0.0, horizon, steps, create_graph, path);
  return {z, x, standard_normal_log_prob(z) + ell};
}

Transport pull_back(const PotentialField& field, const at::Tensor& x, double horizon, int64_t steps,
                    bool create_graph) {
  // Backward from ℓ(T) = 0: ℓ(0) = ∫₀ᵀ Δφ dt, so log p_T(x) = log N(z) − ℓ(0).
  auto [z, ell] = integrate(field, x, horizon, 0.0, steps, create_graph, nullptr);
  return {z, x, standard_normal_log_prob(z) - ell};
}

PotentialFlowImpl::PotentialFlowImpl(const PotentialFlowOptions& o) : options_(o) {
  if (o.dim() < 1 || !(o.horizon() > 0) || o.steps() < 1)
    throw std::invalid_argument("potential flow: needs dim >= 1, horizon > 0, steps >= 1");
  net_ = register_module(
      "phi",
      PotentialNet(PotentialNetOptions(o.dim()).width(o.width()).depth(o.depth()).time_dependent(
          o.time_dependent())));
}

at::Tensor PotentialFlowImpl::potential(const at::Tensor& x, double t) {
  return net_->forward(x, t);
}

PotentialField PotentialFlowImpl::field() {
  auto net = net_.ptr();
  return [net](const at::Tensor& x, double t, bool create_graph) {
    if (create_graph) {
      auto d = net->derivatives(x, t);
      return std::make_pair(std::get<1>(d), std::get<2>(d));
    }
    torch::NoGradGuard ng;  // values only: no graph through the parameters
    auto d = net->derivatives(x.detach(), t);
    return std::make_pair(std::get<1>(d), std::get<2>(d));
  };
}

int64_t PotentialFlowImpl::resolve(int64_t steps) const {
  if (steps < 0) throw std::invalid_argument("potential flow: steps must be >= 0");
  return steps > 0 ? steps : options_.steps();
}

at::Tensor PotentialFlowImpl::log_prob(const at::Tensor& x, int64_t steps, bool create_graph) {
  return pull_back(x, steps, create_graph).log_p;
}

Transport PotentialFlowImpl::pull_back(const at::Tensor& x, int64_t steps, bool create_graph) {
  return particles::pull_back(field(), x, options_.horizon(), resolve(steps), create_graph);
}

Transport PotentialFlowImpl::push_forward(const at::Tensor& z, int64_t steps,
                                          std::vector<at::Tensor>* path) {
  return particles::push_forward(field(), z, options_.horizon(), resolve(steps), false, path);
}

Transport PotentialFlowImpl::sample(int64_t n, int64_t steps) {
  if (n < 1) throw std::invalid_argument("potential flow: sample count must be >= 1");
  auto p = parameters().front();
  return push_forward(torch::randn({n, options_.dim()}, p.options()), steps);
}

}  // namespace enflow::particles

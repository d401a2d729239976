#include "integrators/newton_krylov.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "enflow/integrators/gmres.h"

namespace enflow::integrators::detail {

namespace {

// Forcing term of the inexact Newton steps: each GMRES solve cuts ‖r‖₂ by this factor, so
// from the explicit Euler guess (‖r‖ ~ Δt² terms) two or three Newton iterations reach the
// rounding level; a looser one would rebuild the double-backward graph more often for the
// same JVPs in all.
constexpr double kForcing = 1e-6;
// The last solve aims below the Newton tolerance (in the 2-norm, which bounds the
// max-norm), so the update's linear error is not what stops convergence.
constexpr double kFloorFraction = 0.25;

}  // namespace

DiscreteGradientResidual::DiscreteGradientResidual(const ad::EnergyDerivatives& H_,
                                                   const StructureApply& applyG_,
                                                   const at::Tensor& u0_, double dt_,
                                                   double tol_option)
    : H(H_), applyG(applyG_), u0(u0_.detach()), dt(dt_) {
  const double eps = u0.scalar_type() == torch::kFloat64 ? 2.220446049250313e-16 : 1.1920929e-07;
  tol = tol_option > 0 ? tol_option : 16.0 * eps;
}

at::Tensor DiscreteGradientResidual::guess() const {
  return (u0 + dt * applyG(H.gradient(u0, false))).detach();
}

at::Tensor DiscreteGradientResidual::operator()(const at::Tensor& u1) const {
  auto g = H.discrete_gradient(u1, u0, /*create_graph=*/false).dgrad;
  return (u1 - u0 - dt * applyG(g)).detach();
}

at::Tensor newton_krylov_step(const ad::EnergyDerivatives& H, const StructureApply& applyG,
                              const at::Tensor& u0, double dt, const NewtonOptions& o,
                              NewtonReport* report) {
  torch::AutoGradMode grad_on(true);
  const DiscreteGradientResidual residual(H, applyG, u0, dt, o.tol());
  const auto& u0c = residual.u0;
  const double tol = residual.tol;
  auto u1 = residual.guess();
  const auto gmres =
      GmresOptions().restart(o.krylov_restart()).max_iterations(o.krylov_max_iterations());
  NewtonReport rep;
  GmresReport last;
  auto r = residual(u1);
  for (int it = 0;; ++it) {
    rep.iterations = it;
    rep.residual = r.abs().max().item<double>();
    const double scale = std::max(1.0, u1.abs().max().item<double>());
    if (rep.residual <= tol * scale) {
      rep.converged = true;
      break;
    }
    if (it == o.max_iterations() || !std::isfinite(rep.residual)) break;
    // The residual's graph at u₁ and its vector–Jacobian product Jᵀw, linear in w: the
    // gradient of (Jᵀw)·v with respect to w is J v, one backward pass per product, all
    // samples at once (they are independent).
    auto x = u1.detach().requires_grad_(true);
    auto rx = x - dt * applyG(H.discrete_gradient(x, u0c, /*create_graph=*/true).dgrad);
    auto w = torch::zeros_like(u1).requires_grad_(true);
    auto JTw = torch::autograd::grad({rx}, {x}, {w}, /*retain_graph=*/true,
                                     /*create_graph=*/true)[0];
    BatchedOperator J = [&](const at::Tensor& v) {
      return torch::autograd::grad({JTw}, {w}, {v}, /*retain_graph=*/true)[0];
    };
    auto atol = torch::clamp_min(kForcing * r.norm(2, 1), kFloorFraction * tol * scale);
    auto delta = batched_gmres(J, -r, atol, gmres, &last);
    rep.jvps += last.iterations;
    u1 = (u1 + delta).detach();
    r = residual(u1);
  }
  if (report) *report = rep;
  if (!rep.converged) {
    std::ostringstream s;
    s << "discrete-gradient step: Newton–Krylov did not converge after " << rep.iterations
      << " iterations (residual " << rep.residual << "; last GMRES solve "
      << (last.converged ? "converged" : "stopped unconverged") << " after " << last.iterations
      << " JVPs); reduce dt or raise max_iterations / krylov_max_iterations";
    throw std::runtime_error(s.str());
  }
  return u1.detach();
}

}  // namespace enflow::integrators::detail

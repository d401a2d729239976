#include "enflow/integrators/discrete_gradient_scheme.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "enflow/integrators/integrator_registry.h"
#include "integrators/newton_krylov.h"

namespace enflow::integrators {

at::Tensor discrete_gradient_step(const ad::EnergyDerivatives& H, const at::Tensor& G,
                                  const at::Tensor& u0, double dt, const NewtonOptions& o,
                                  NewtonReport* report, NewtonWorkspace* ws) {
  if (u0.dim() != 2) throw std::invalid_argument("discrete_gradient_step: u0 must be [batch, dim]");
  const int64_t d = u0.size(1);
  if (G.dim() != 2 || G.size(0) != d || G.size(1) != d) {
    throw std::invalid_argument("discrete_gradient_step: G must be [" + std::to_string(d) + ", " +
                                std::to_string(d) + "]");
  }
  auto Gt = G.detach().t();
  return discrete_gradient_step(
      H, [Gt](const at::Tensor& g) { return torch::matmul(g, Gt); }, u0, dt, o, report, ws);
}

at::Tensor discrete_gradient_step(const ad::EnergyDerivatives& H, const StructureApply& applyG,
                                  const at::Tensor& u0, double dt, const NewtonOptions& o,
                                  NewtonReport* report, NewtonWorkspace* ws) {
  if (u0.dim() != 2) throw std::invalid_argument("discrete_gradient_step: u0 must be [batch, dim]");
  const int64_t B = u0.size(0), d = u0.size(1);
  if (resolve_linear_solver(o.linear_solver(), d) == LinearSolver::kGmres)
    return detail::newton_krylov_step(H, applyG, u0, dt, o, report);
  torch::AutoGradMode grad_on(true);
  const detail::DiscreteGradientResidual residual(H, applyG, u0, dt, o.tol());
  const auto& u0c = residual.u0;
  const double tol = residual.tol;
  // Explicit Euler with the ordinary gradient as the starting guess.
  auto u1 = residual.guess();
  // The per-sample Jacobian ∂r/∂u₁ in one reverse pass: every sample repeated d times,
  // copy i seeded with the unit vector e_i, gives row i (samples are independent).
  auto inverse_jacobian = [&](const at::Tensor& u) {
    auto seeds = torch::eye(d, u0c.options()).repeat({B, 1});
    auto x = u.repeat_interleave(d, 0).detach().requires_grad_(true);
    auto gx = H.discrete_gradient(x, u0c.repeat_interleave(d, 0), /*create_graph=*/true).dgrad;
    auto rx = x - dt * applyG(gx);
    auto J = torch::autograd::grad({rx}, {x}, {seeds})[0].reshape({B, d, d});
    return torch::linalg_inv(J).detach();
  };
  // Keep the Jacobian while the iterations it still needs at the observed contraction
  // theta cost less than a new one (about 2d residual evaluations: d copies, forward and
  // backward) and fit in the iteration cap.
  auto too_slow = [&](double theta, double res, double target, int it) {
    if (!(theta < 0.9)) return true;
    const double left = std::log(target / res) / std::log(theta);
    return left > 2.0 * static_cast<double>(d) + 3.0 || it + left > o.max_iterations();
  };
  at::Tensor Jinv;
  if (ws && ws->inverse.defined() && ws->dt == dt && ws->inverse.size(0) == B &&
      ws->inverse.size(1) == d && ws->inverse.scalar_type() == u0.scalar_type() &&
      ws->inverse.device() == u0.device()) {
    Jinv = ws->inverse;
  }
  NewtonReport rep;
  auto r = residual(u1);
  at::Tensor u_prev, r_prev;
  double res_prev = INFINITY;
  bool fresh = false;  // Jinv was computed at the iterate it is applied to
  for (int it = 0;; ++it) {
    rep.iterations = it;
    rep.residual = r.abs().max().item<double>();
    const double scale = std::max(1.0, u1.abs().max().item<double>());
    if (rep.residual <= tol * scale) {
      rep.converged = true;
      break;
    }
    if (it == o.max_iterations()) break;
    const bool finite = std::isfinite(rep.residual);
    if (!finite && (fresh || !u_prev.defined())) break;
    if (u_prev.defined() &&
        (!finite || too_slow(rep.residual / res_prev, rep.residual, tol * scale, it))) {
      // A fresh Jacobian. If a reused one made things worse, it is taken at the better
      // iterate before.
      if (!fresh && (!finite || rep.residual > res_prev)) {
        u1 = u_prev;
        r = r_prev;
        rep.residual = res_prev;
      }
      Jinv = at::Tensor();
    }
    if (!Jinv.defined()) {
      Jinv = inverse_jacobian(u1);
      ++rep.jacobians;
      fresh = true;
    } else {
      fresh = false;
    }
    u_prev = u1;
    r_prev = r;
    res_prev = rep.residual;
    u1 = (u1 - torch::matmul(Jinv, r.unsqueeze(-1)).squeeze(-1)).detach();
    r = residual(u1);
  }
  if (ws && Jinv.defined()) {
    ws->inverse = Jinv;
    ws->dt = dt;
  }
  if (report) *report = rep;
  if (!rep.converged) {
    std::ostringstream s;
    s << "discrete-gradient step: Newton did not converge after " << rep.iterations
      << " iterations (residual " << rep.residual << "); reduce dt or raise max_iterations";
    throw std::runtime_error(s.str());
  }
  return u1;
}

at::Tensor discrete_gradient_step(const ad::EnergyFn& H, const at::Tensor& G, const at::Tensor& u0,
                                  double dt, const NewtonOptions& o, NewtonReport* report,
                                  NewtonWorkspace* ws) {
  return discrete_gradient_step(ad::derivatives_of(H), G, u0, dt, o, report, ws);
}

namespace {

// Solved by Newton in the model layer (models/stepper.cpp), which owns the energy.
const IntegratorRegistrar discrete_gradient_entry(
    "discrete_gradient",
    IntegratorEntry{"implicit discrete-gradient scheme: keeps the learned energy law exactly; "
                    "energy models only",
                    /*implicit=*/true, false, false, nullptr});

}  // namespace

}  // namespace enflow::integrators

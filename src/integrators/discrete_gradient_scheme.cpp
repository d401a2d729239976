#include "enflow/integrators/discrete_gradient_scheme.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace enflow::integrators {

at::Tensor discrete_gradient_step(const ad::EnergyDerivatives& H, const at::Tensor& G,
                                  const at::Tensor& u0, double dt, const NewtonOptions& o,
                                  NewtonReport* report) {
  if (u0.dim() != 2) throw std::invalid_argument("discrete_gradient_step: u0 must be [batch, dim]");
  const int64_t B = u0.size(0), d = u0.size(1);
  if (G.dim() != 2 || G.size(0) != d || G.size(1) != d) {
    throw std::invalid_argument("discrete_gradient_step: G must be [" + std::to_string(d) + ", " +
                                std::to_string(d) + "]");
  }
  torch::AutoGradMode grad_on(true);
  auto u0c = u0.detach();
  auto Gt = G.detach().t();
  // Explicit Euler with the ordinary gradient as the starting guess.
  auto u1 = (u0c + dt * torch::matmul(H.gradient(u0c, false), Gt)).detach();
  const double eps = u0.scalar_type() == torch::kFloat64 ? 2.220446049250313e-16 : 1.1920929e-07;
  const double tol = o.tol() > 0 ? o.tol() : 16.0 * eps;
  // The per-sample Jacobian ∂r/∂u₁ in one reverse pass: every sample repeated d times,
  // copy i seeded with the unit vector e_i, gives row i (samples are independent).
  auto seeds = torch::eye(d, u0c.options()).repeat({B, 1});
  auto u0_rep = u0c.repeat_interleave(d, 0);
  NewtonReport rep;
  for (int it = 0; it <= o.max_iterations(); ++it) {
    auto g = H.discrete_gradient(u1, u0c, /*create_graph=*/false).dgrad;
    auto r = (u1 - u0c - dt * torch::matmul(g, Gt)).detach();
    rep.iterations = it;
    rep.residual = r.abs().max().item<double>();
    const double scale = std::max(1.0, u1.abs().max().item<double>());
    if (rep.residual <= tol * scale) {
      rep.converged = true;
      break;
    }
    if (!std::isfinite(rep.residual) || it == o.max_iterations()) break;
    auto x = u1.repeat_interleave(d, 0).detach().requires_grad_(true);
    auto gx = H.discrete_gradient(x, u0_rep, /*create_graph=*/true).dgrad;
    auto rx = x - dt * torch::matmul(gx, Gt);
    auto J = torch::autograd::grad({rx}, {x}, {seeds})[0].reshape({B, d, d});
    auto step = torch::linalg_solve(J, r.unsqueeze(-1)).squeeze(-1);
    u1 = (u1 - step).detach();
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
                                  double dt, const NewtonOptions& o, NewtonReport* report) {
  return discrete_gradient_step(ad::derivatives_of(H), G, u0, dt, o, report);
}

}  // namespace enflow::integrators

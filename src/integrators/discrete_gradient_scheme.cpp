#include "enflow/integrators/discrete_gradient_scheme.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace enflow::integrators {

at::Tensor discrete_gradient_step(const ad::EnergyFn& H, const at::Tensor& G, const at::Tensor& u0,
                                  double dt, const NewtonOptions& o, NewtonReport* report) {
  if (u0.dim() != 2) throw std::invalid_argument("discrete_gradient_step: u0 must be [batch, dim]");
  const int64_t d = u0.size(1);
  if (G.dim() != 2 || G.size(0) != d || G.size(1) != d) {
    throw std::invalid_argument("discrete_gradient_step: G must be [" + std::to_string(d) + ", " +
                                std::to_string(d) + "]");
  }
  torch::AutoGradMode grad_on(true);
  auto u0c = u0.detach();
  auto Gt = G.detach().t();
  // Explicit Euler with the ordinary gradient as the starting guess.
  auto u1 = (u0c + dt * torch::matmul(ad::gradient(H, u0c), Gt)).detach();
  const double eps = u0.scalar_type() == torch::kFloat64 ? 2.220446049250313e-16 : 1.1920929e-07;
  const double tol = o.tol() > 0 ? o.tol() : 16.0 * eps;
  NewtonReport rep;
  for (int it = 0; it <= o.max_iterations(); ++it) {
    auto x = u1.detach().requires_grad_(true);
    auto g = ad::discrete_gradient(H, x, u0c, /*create_graph=*/true).dgrad;
    auto r = x - u0c - dt * torch::matmul(g, Gt);
    rep.iterations = it;
    rep.residual = r.detach().abs().max().item<double>();
    const double scale = std::max(1.0, u1.abs().max().item<double>());
    if (rep.residual <= tol * scale) {
      rep.converged = true;
      break;
    }
    if (!std::isfinite(rep.residual) || it == o.max_iterations()) break;
    // Rows of the per-sample Jacobian ∂r_i/∂u₁ (samples are independent).
    std::vector<torch::Tensor> rows;
    for (int64_t i = 0; i < d; ++i) {
      auto gi = torch::autograd::grad({r.select(1, i).sum()}, {x}, {}, true, false, true)[0];
      rows.push_back(gi.defined() ? gi : torch::zeros_like(x));
    }
    auto J = torch::stack(rows, 1);  // [B, d(i), d(j)]
    auto step = torch::linalg_solve(J, r.detach().unsqueeze(-1)).squeeze(-1);
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

}  // namespace enflow::integrators

#include "enflow/integrators/newton.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace enflow::integrators {

namespace {

// Max-norm (convergence) and 2-norm (damping: the Newton direction descends ‖r‖₂) of each
// sample's residual; non-finite entries count as +inf.
at::Tensor finite_abs(const at::Tensor& r) {
  auto a = r.detach().abs();
  return torch::where(torch::isfinite(a), a, torch::full_like(a, INFINITY));
}
at::Tensor sample_max_norm(const at::Tensor& r) { return std::get<0>(finite_abs(r).max(1)); }
at::Tensor sample_norm2(const at::Tensor& r) { return finite_abs(r).norm(2, 1); }

}  // namespace

at::Tensor newton_solve(const ResidualFn& residual, const at::Tensor& x_init,
                        const NewtonOptions& o, NewtonReport* report, const std::string& what) {
  if (x_init.dim() != 2) throw std::invalid_argument(what + ": the state must be [batch, dim]");
  torch::AutoGradMode grad_on(true);
  const int64_t d = x_init.size(1);
  const double eps =
      x_init.scalar_type() == torch::kFloat64 ? 2.220446049250313e-16 : 1.1920929e-07;
  const double tol = o.tol() > 0 ? o.tol() : 16.0 * eps;
  auto eval = [&](const at::Tensor& x) {
    auto leaf = x.detach().requires_grad_(true);
    return std::make_pair(leaf, residual(leaf));
  };
  at::Tensor x, r;
  std::tie(x, r) = eval(x_init);
  NewtonReport rep;
  for (int it = 0;; ++it) {
    rep.iterations = it;
    rep.residual = sample_max_norm(r).max().item<double>();
    const double threshold = tol * std::max(1.0, x.detach().abs().max().item<double>());
    if (rep.residual <= threshold) {
      rep.converged = true;
      break;
    }
    if (it == o.max_iterations()) break;
    if (!std::isfinite(rep.residual) && it == 0) break;  // the starting point is unusable
    // Rows of the per-sample Jacobian ∂r_i/∂x.
    std::vector<at::Tensor> rows;
    for (int64_t i = 0; i < d; ++i) {
      auto gi = torch::autograd::grad({r.select(1, i).sum()}, {x}, {}, true, false, true)[0];
      rows.push_back(gi.defined() ? gi : torch::zeros_like(x));
    }
    auto step = torch::linalg_solve(torch::stack(rows, 1), r.detach().unsqueeze(-1)).squeeze(-1);
    auto lam = torch::ones({x.size(0), 1}, x.options().requires_grad(false));
    auto base = x.detach();
    auto norms = sample_norm2(r);
    for (int h = 0;; ++h) {
      at::Tensor xn, rn;
      std::tie(xn, rn) = eval(base - lam * step);
      auto ok = (sample_norm2(rn) <= norms * (1.0 - 1e-4 * lam.squeeze(1))) |
                (sample_max_norm(rn) <= threshold);
      if (ok.all().item<bool>() || h == 30) {
        x = xn;
        r = rn;
        break;
      }
      lam = torch::where(ok.unsqueeze(1), lam, 0.5 * lam);
    }
  }
  if (report) *report = rep;
  if (!rep.converged) {
    std::ostringstream s;
    s << what << ": Newton did not converge after " << rep.iterations << " iterations (residual "
      << rep.residual << "); reduce dt or raise max_iterations";
    throw std::runtime_error(s.str());
  }
  return x.detach();
}

}  // namespace enflow::integrators

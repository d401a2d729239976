#include "systems/common.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "enflow/integrators/discrete_gradient_scheme.h"
#include "enflow/integrators/explicit_rk.h"

namespace enflow::systems {

namespace detail {

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * M_PI * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

Params merge_params(const std::string& system, const Params& defaults, const Params& overrides) {
  Params p = defaults;
  for (const auto& [k, v] : overrides) {
    if (!defaults.count(k)) {
      std::ostringstream s;
      s << "system '" << system << "' has no parameter '" << k << "' (known:";
      if (defaults.empty()) s << " none";
      for (const auto& d : defaults) s << " " << d.first;
      s << ")";
      throw std::invalid_argument(s.str());
    }
    if (!std::isfinite(v)) {
      throw std::invalid_argument("system '" + system + "': parameter '" + k + "' must be finite");
    }
    p[k] = v;
  }
  return p;
}

void check_state(const at::Tensor& u, int64_t dim, const std::string& who) {
  if (!u.defined() || u.dim() != 2 || u.size(1) != dim) {
    std::ostringstream s;
    s << who << ": state must be [batch, " << dim << "]";
    if (u.defined()) s << ", got " << u.sizes();
    throw std::invalid_argument(s.str());
  }
  if (u.scalar_type() != torch::kFloat64) {
    throw std::invalid_argument(who + ": state must be float64");
  }
}

at::Tensor composed_discrete_gradient_step(const EnergySystem& system, const at::Tensor& u,
                                           double dt, int64_t substeps) {
  const double c = std::cbrt(2.0);
  const double w1 = 1.0 / (2.0 - c), w0 = -c * w1;
  const double h = dt / static_cast<double>(substeps);
  auto G = system.structure();
  ad::EnergyFn H = [&system](const ad::Var& x) { return system.energy(x); };
  auto x = u.detach();
  for (int64_t k = 0; k < substeps; ++k) {
    for (double w : {w1, w0, w1}) {
      x = integrators::discrete_gradient_step(H, G, x, w * h).detach();
    }
  }
  return x;
}

at::Tensor rk4_substeps(const System& system, const at::Tensor& u, double dt, int64_t substeps) {
  const double h = dt / static_cast<double>(substeps);
  integrators::VectorField f = [&system](const at::Tensor& x) { return system.time_derivative(x); };
  auto x = u;
  for (int64_t k = 0; k < substeps; ++k) x = integrators::rk4_step(f, x, h);
  return x;
}

at::Tensor reference_newton(const std::function<at::Tensor(const at::Tensor&)>& residual,
                            const std::function<at::Tensor(const at::Tensor&)>& jacobian,
                            at::Tensor guess, double tol, const std::string& who) {
  auto v = std::move(guess);
  const int max_it = 50;
  double res = 0;
  int it = 0, polish = 0;
  for (; it <= max_it; ++it) {
    auto r = residual(v);
    res = r.abs().max().item<double>();
    if (!std::isfinite(res)) break;
    if (res <= tol && polish++ >= 1) break;  // one more step after convergence: rounding
    if (it == max_it) break;
    v = v - torch::linalg_solve(jacobian(v), r.unsqueeze(-1)).squeeze(-1);
  }
  if (!(std::isfinite(res) && res <= tol)) {
    std::ostringstream s;
    s << who << " reference step: Newton did not converge after " << it << " iterations (residual "
      << res << ", tolerance " << tol << "); reduce dt";
    throw std::runtime_error(s.str());
  }
  return v;
}

int64_t positive_int_param(const Params& p, const std::string& key, const std::string& system) {
  const double v = p.at(key);
  if (!(v >= 1) || v != std::floor(v) || v > 1e9) {
    throw std::invalid_argument("system '" + system + "': parameter '" + key +
                                "' must be a positive integer");
  }
  return static_cast<int64_t>(v);
}

}  // namespace detail

}  // namespace enflow::systems

#include "enflow/integrators/adaptive.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "enflow/integrators/integrator_registry.h"

namespace enflow::integrators {

namespace {
// Dormand–Prince 5(4) tableau.
constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
constexpr double a21 = 1.0 / 5;
constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                 a54 = -212.0 / 729;
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                 a65 = -5103.0 / 18656;
constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784,
                 b6 = 11.0 / 84;
// b − b* (fifth- minus fourth-order weights) for the error estimate.
constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                 e6 = 22.0 / 525, e7 = -1.0 / 40;
}  // namespace

at::Tensor dopri5_step(const VectorField& f, const at::Tensor& u0, double dt,
                       const Dopri5Options& o, Dopri5Report* report) {
  (void)c2, (void)c3, (void)c4, (void)c5;  // autonomous systems: stage times unused
  Dopri5Report rep;
  auto u = u0;
  double t = 0.0;
  double h = dt;
  auto k1 = f(u);
  while (t < dt * (1 - 1e-12)) {
    if (rep.substeps + rep.rejected >= o.max_substeps()) {
      throw std::runtime_error("Dormand-Prince: more than " + std::to_string(o.max_substeps()) +
                               " substeps; loosen rtol/atol or check the model for stiffness");
    }
    h = std::min(h, dt - t);
    auto k2 = f(u + h * (a21 * k1));
    auto k3 = f(u + h * (a31 * k1 + a32 * k2));
    auto k4 = f(u + h * (a41 * k1 + a42 * k2 + a43 * k3));
    auto k5 = f(u + h * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4));
    auto k6 = f(u + h * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5));
    auto u_new = u + h * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6);
    auto k7 = f(u_new);
    torch::Tensor err, scale;
    {
      torch::NoGradGuard ng;
      err = h * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
      scale = o.atol() + o.rtol() * torch::max(u.abs(), u_new.abs());
    }
    const double en = (err / scale).pow(2).mean().sqrt().item<double>();
    if (!std::isfinite(en)) throw std::runtime_error("Dormand-Prince: non-finite state");
    if (en <= 1.0) {
      t += h;
      u = u_new;
      k1 = k7;  // first-same-as-last
      ++rep.substeps;
    } else {
      ++rep.rejected;
    }
    const double factor = en == 0.0 ? 5.0 : std::clamp(0.9 * std::pow(en, -0.2), 0.2, 5.0);
    h *= factor;
  }
  if (report) *report = rep;
  return u;
}

at::Tensor leapfrog_step(const VectorField& dV_dq, const VectorField& dT_dp, const at::Tensor& u,
                         double dt) {
  const int64_t n = u.size(-1) / 2;
  auto q = u.narrow(-1, 0, n);
  auto p = u.narrow(-1, n, n);
  auto p_half = p - 0.5 * dt * dV_dq(q);
  auto q1 = q + dt * dT_dp(p_half);
  auto p1 = p_half - 0.5 * dt * dV_dq(q1);
  return torch::cat({q1, p1}, -1);
}

namespace {

const IntegratorRegistrar dopri5_entry(
    "dopri5",
    IntegratorEntry{
        "adaptive Dormand-Prince 5(4) with rtol/atol", false, false, false,
        [](const ExplicitField& F, const at::Tensor& u, double h, const StepTolerances& t) {
          return dopri5_step(F.f, u, h, Dopri5Options().rtol(t.rtol).atol(t.atol));
        }});
const IntegratorRegistrar leapfrog_entry(
    "leapfrog",
    IntegratorEntry{"Stormer-Verlet leapfrog, symplectic; separable models (srnn) only", false,
                    /*needs_separable=*/true, false,
                    [](const ExplicitField& F, const at::Tensor& u, double h,
                       const StepTolerances&) { return leapfrog_step(F.dV_dq, F.dT_dp, u, h); }});

}  // namespace

}  // namespace enflow::integrators

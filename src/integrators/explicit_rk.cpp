#include "enflow/integrators/explicit_rk.h"

#include <torch/torch.h>

#include "enflow/integrators/integrator_registry.h"

namespace enflow::integrators {

at::Tensor rk2_step(const VectorField& f, const at::Tensor& u, double dt) {
  auto k1 = f(u);
  return u + dt * f(u + 0.5 * dt * k1);
}

at::Tensor rk4_step(const VectorField& f, const at::Tensor& u, double dt) {
  auto k1 = f(u);
  auto k2 = f(u + 0.5 * dt * k1);
  auto k3 = f(u + 0.5 * dt * k2);
  auto k4 = f(u + dt * k3);
  return u + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
}

namespace {

const IntegratorRegistrar euler_entry(
    "euler", IntegratorEntry{"explicit Euler, first order; the rate at the observed state", false,
                             false, /*pointwise=*/true,
                             [](const ExplicitField& F, const at::Tensor& u, double h,
                                const StepTolerances&) { return u + h * F.f(u); }});
const IntegratorRegistrar rk2_entry(
    "rk2", IntegratorEntry{"explicit midpoint Runge-Kutta, second order", false, false, false,
                           [](const ExplicitField& F, const at::Tensor& u, double h,
                              const StepTolerances&) { return rk2_step(F.f, u, h); }});
const IntegratorRegistrar rk4_entry("rk4",
                                    IntegratorEntry{
                                        "classical Runge-Kutta, fourth order", false, false, false,
                                        [](const ExplicitField& F, const at::Tensor& u, double h,
                                           const StepTolerances&) { return rk4_step(F.f, u, h); }});

}  // namespace

}  // namespace enflow::integrators

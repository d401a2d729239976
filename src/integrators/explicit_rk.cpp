#include "enflow/integrators/explicit_rk.h"

#include <torch/torch.h>

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

}  // namespace enflow::integrators

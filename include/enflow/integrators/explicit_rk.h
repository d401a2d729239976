// Explicit Runge–Kutta steps for du/dt = f(u).
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>

namespace enflow::integrators {

using VectorField = std::function<at::Tensor(const at::Tensor&)>;

/// Explicit midpoint (RK2).
at::Tensor rk2_step(const VectorField& f, const at::Tensor& u, double dt);
/// Classical fourth-order Runge–Kutta.
at::Tensor rk4_step(const VectorField& f, const at::Tensor& u, double dt);

}  // namespace enflow::integrators

// Adaptive Dormand–Prince 5(4) and leapfrog steps. Both stay differentiable: training
// back-propagates through every stage (step-size control uses detached error norms).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "enflow/integrators/explicit_rk.h"

namespace enflow::integrators {

struct Dopri5Options {
  TORCH_ARG(double, rtol) = 1e-6;
  TORCH_ARG(double, atol) = 1e-8;
  TORCH_ARG(int, max_substeps) = 1000;
};

struct Dopri5Report {
  int substeps = 0;
  int rejected = 0;
};

/// Integrates du/dt = f(u) over [0, dt] with adaptive substeps (error per step ≤
/// atol + rtol·|u| in the RMS norm over the whole batch). Throws std::runtime_error if
/// max_substeps is exceeded.
at::Tensor dopri5_step(const VectorField& f, const at::Tensor& u, double dt,
                       const Dopri5Options& options = {}, Dopri5Report* report = nullptr);

/// Störmer–Verlet (kick-drift-kick) for separable H = T(p) + V(q), u = (q, p):
/// p½ = p − dt/2 ∂V/∂q(q), q₁ = q + dt ∂T/∂p(p½), p₁ = p½ − dt/2 ∂V/∂q(q₁).
at::Tensor leapfrog_step(const VectorField& dV_dq, const VectorField& dT_dp, const at::Tensor& u,
                         double dt);

}  // namespace enflow::integrators

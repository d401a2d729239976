// Batched damped Newton for implicit steps r(x) = 0 whose residual is written with
// differentiable tensor operations: samples are independent, so the Jacobian is one
// [d, d] block per sample, taken by autograd.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>

#include "enflow/integrators/discrete_gradient_scheme.h"

namespace enflow::integrators {

/// Residual r(x) [B, d] of x [B, d]; x arrives as a leaf that requires grad.
using ResidualFn = std::function<at::Tensor(const at::Tensor&)>;

/// Newton from x_init [B, d] until max |r| ≤ tol·max(1, max |x|) (tol 0: 16 machine
/// epsilons of the dtype). A sample whose step makes its residual non-finite or larger is
/// damped by halving (up to 30 times), so iterates can be kept inside a domain such as
/// positive concentrations. Throws std::runtime_error naming `what` if Newton does not
/// converge.
at::Tensor newton_solve(const ResidualFn& residual, const at::Tensor& x_init,
                        const NewtonOptions& options = {}, NewtonReport* report = nullptr,
                        const std::string& what = "Newton");

}  // namespace enflow::integrators

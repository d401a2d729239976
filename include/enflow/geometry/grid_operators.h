// Difference operators on periodic grids: the one home of the grid operators that the
// reference PDEs (systems/), the structure operators G and the learned PDE models share.
// Dense float64 [n, n] matrices acting on column vectors, (P u)_k = u_{k+1} with indices
// modulo n; every function needs n >= 3 and dx > 0.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace enflow::geometry {

/// Periodic central difference D u = (u_{k+1} − u_{k−1}) / (2 dx): skew.
at::Tensor central_difference(int64_t n, double dx);
/// Periodic forward difference D₊ u = (u_{k+1} − u_k) / dx (D₊ᵀ is minus the backward one).
at::Tensor forward_difference(int64_t n, double dx);
/// Periodic second difference D₂ u = (u_{k+1} − 2u_k + u_{k−1}) / dx²: symmetric ≤ 0.
at::Tensor second_difference(int64_t n, double dx);

}  // namespace enflow::geometry

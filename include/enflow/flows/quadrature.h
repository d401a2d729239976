// Quadrature rules and sample sets for the EVNN solvers: tensor Gauss–Legendre grids in low
// dimension, (scrambled, shifted) Halton quasi-Monte Carlo or plain Monte Carlo in high
// dimension. A rule is points [N, d] and weights [N] with ∫_Ω f ≈ Σ_i w_i f(x_i).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace enflow::flows {

struct Quadrature {
  at::Tensor points;   ///< [N, d]
  at::Tensor weights;  ///< [N]
  int64_t size() const { return points.defined() ? points.size(0) : 0; }
  bool empty() const { return size() == 0; }
};

/// Gauss–Legendre nodes and weights on [-1, 1] (n >= 1).
std::pair<std::vector<double>, std::vector<double>> gauss_legendre(int64_t n);

/// Tensor-product Gauss–Legendre rule with n nodes per dimension on the box [lo, hi].
Quadrature box_gauss(const std::vector<double>& lo, const std::vector<double>& hi, int64_t n,
                     const at::TensorOptions& options);

/// Polar rule on the disk of the given radius: Gauss–Legendre in r, trapezoid (exact for
/// trigonometric polynomials) in the angle.
Quadrature disk_gauss(double radius, int64_t n_radial, int64_t n_angular,
                      const at::TensorOptions& options);

/// n points of the Halton sequence in [0, 1)^dim, digit-scrambled and randomly shifted with
/// the seed (a randomized QMC set; seed fixes it). dim <= 64.
at::Tensor halton(int64_t n, int64_t dim, uint64_t seed, const at::TensorOptions& options);

/// Uniform points in [0, 1)^dim: kind "halton" (randomized QMC) or "mc" (pseudo-random).
at::Tensor unit_cube_samples(int64_t n, int64_t dim, const std::string& kind, uint64_t seed,
                             const at::TensorOptions& options);

/// Standard normal points in R^dim by the inverse CDF of unit_cube_samples.
at::Tensor normal_samples(int64_t n, int64_t dim, const std::string& kind, uint64_t seed,
                          const at::TensorOptions& options);

/// Equal-weight sample rule on the box: kind "halton" or "mc"; weights volume / n.
Quadrature box_samples(const std::vector<double>& lo, const std::vector<double>& hi, int64_t n,
                       const std::string& kind, uint64_t seed, const at::TensorOptions& options);

/// Equal-weight rule on the boundary of the box: faces chosen in proportion to their area.
Quadrature box_boundary_samples(const std::vector<double>& lo, const std::vector<double>& hi,
                                int64_t n, const std::string& kind, uint64_t seed,
                                const at::TensorOptions& options);

/// n equispaced points on the circle of the given radius, weights 2πR/n.
Quadrature circle_points(double radius, int64_t n, const at::TensorOptions& options);

}  // namespace enflow::flows

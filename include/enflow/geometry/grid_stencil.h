// Translation-invariant linear operators on periodic grids of 1, 2 or 3 axes (∂x, ∂y, ∂z,
// the Laplacian and their compositions): the multi-axis counterpart of grid_operators.h.
// An operator is its stencil, (A u)_i = Σ_o c_o u_{i+o} with indices modulo the grid; it is
// applied to a batch [..., *sizes] matrix-free, by shifted copies (torch::roll) or by FFT
// (multiplying by the operator's Fourier symbol), never as a dense matrix.
//
// Axes follow the tensor order of a state [B, (D,) H, W]: x is the last axis (W), y the one
// before it (H), z the first of a 3-D grid (D).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <vector>

namespace enflow::geometry {

/// A periodic grid: points and spacing per axis, in tensor order.
struct PeriodicGrid {
  /// Throws std::invalid_argument unless there are 1–3 axes, each with >= 3 points and a
  /// spacing > 0. One spacing is used for every axis.
  PeriodicGrid(std::vector<int64_t> sizes, std::vector<double> spacing);
  PeriodicGrid(std::vector<int64_t> sizes, double spacing);
  std::vector<int64_t> sizes;
  std::vector<double> spacing;
  int64_t axes() const { return static_cast<int64_t>(sizes.size()); }
  int64_t points() const;
  /// Tensor axis (0-based among the grid axes) of x (0), y (1) or z (2); throws if absent.
  int64_t axis_of(int64_t direction) const;
};

/// How a stencil is applied: kStencil sums shifted copies (one torch::roll per
/// coefficient), kFft multiplies the real FFT by the symbol. Both give the same numbers to
/// rounding; kDefault is the faster one measured in bench/grid_operator_bench.cpp
/// (docs/performance.md).
enum class StencilMethod { kDefault, kStencil, kFft };

class GridStencil {
 public:
  /// The zero operator on `grid`.
  explicit GridStencil(PeriodicGrid grid);

  static GridStencil identity(const PeriodicGrid& grid);
  /// (u_{i+e} − u_{i−e}) / (2h) along direction 0 = x, 1 = y, 2 = z: skew.
  static GridStencil central_difference(const PeriodicGrid& grid, int64_t direction);
  /// Σ over axes of (u_{i+e} − 2u_i + u_{i−e}) / h²: symmetric, negative semi-definite.
  static GridStencil laplacian(const PeriodicGrid& grid);

  /// Composition (this ∘ other), sum and scaling; the grids must match.
  GridStencil operator*(const GridStencil& other) const;
  GridStencil operator+(const GridStencil& other) const;
  GridStencil operator-(const GridStencil& other) const;
  GridStencil operator*(double c) const;
  /// The adjoint (offsets negated).
  GridStencil transpose() const;

  /// A u for u [..., *sizes] (any leading dimensions, any floating dtype and device).
  at::Tensor apply(const at::Tensor& u, StencilMethod method = StencilMethod::kDefault) const;
  /// The Fourier multiplier on the real-FFT half spectrum [sizes..., last/2 + 1], complex.
  at::Tensor symbol(const at::TensorOptions& real_options) const;
  /// Dense [n, n] float64 matrix on the row-major flattened grid (small grids and tests;
  /// refuses more than 4096 points).
  at::Tensor matrix() const;

  const PeriodicGrid& grid() const { return grid_; }
  /// Offset (each component in (−n/2, n/2]) → coefficient.
  const std::map<std::vector<int64_t>, double>& coefficients() const { return c_; }

 private:
  void add(std::vector<int64_t> offset, double c);
  void check_same_grid(const GridStencil& other, const char* what) const;
  at::Tensor apply_by_roll(const at::Tensor& u) const;
  at::Tensor apply_by_fft(const at::Tensor& u) const;

  PeriodicGrid grid_;
  std::map<std::vector<int64_t>, double> c_;
};

}  // namespace enflow::geometry

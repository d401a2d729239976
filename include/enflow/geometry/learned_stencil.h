// Learned translation-invariant structure operators on periodic grids of 1–3 axes: G is a
// stencil whose coefficients are parameters, so a user need not know G (TNNLS-style
// identification), and the structure holds for every parameter value:
//   * skew:        G = Σ_o c_o (S_o − S_−o) / h over offsets o in one half of the box
//                  [−r, r]^axes (c_−o = −c_o, c_0 = 0), so Gᵀ = −G;
//   * dissipative: G = −Σ_j K_jᵀ K_j, one K_j = Σ_o k_jo S_o / h over the whole box per
//                  grid axis, so G ≤ 0 (one square need not factor a 2-D Laplacian; one per
//                  axis does: Δ = −Σ_a D⁺_aᵀ D⁺_a).
// S_o is the shift (S_o u)_i = u_{i+o}; h the grid's first spacing. Applied matrix-free by
// torch::roll, differentiable in the coefficients.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "enflow/geometry/grid_stencil.h"
#include "enflow/geometry/structure.h"

namespace enflow::geometry {

class LearnedStencilImpl : public StructureImpl {
 public:
  /// skew: the antisymmetric form, else −Σ KᵀK. radius >= 1 (and below half of every axis).
  /// keeps_mass (dissipative): each K's coefficients minus their mean, so K 1 = 0.
  LearnedStencilImpl(PeriodicGrid grid, int64_t radius, bool skew, bool keeps_mass = false);
  at::Tensor apply(const at::Tensor& g) override;
  /// Dense [n, n] form in the parameters' dtype (small grids and tests).
  at::Tensor matrix() override;
  bool matrix_free() const override { return true; }
  std::string kind() const override {
    return skew_ ? "learned_skew_stencil" : "learned_dissipative_stencil";
  }
  bool conservative() const override { return skew_; }
  /// The learned offsets (one half of the box for skew, all of it for dissipative) and their
  /// coefficients (before the 1/h): c_o [offsets], or k_jo [axes, offsets].
  const std::vector<std::vector<int64_t>>& offsets() const { return offsets_; }
  at::Tensor coefficients() const { return coefficients_; }

 private:
  /// Σ_o c_o (S_o − S_−o) u for coefficients c [offsets] (skew), or Σ_o k_o S_±o u.
  at::Tensor shifted_sum(const at::Tensor& u, const at::Tensor& c, bool transpose) const;

  PeriodicGrid grid_;
  bool skew_, keeps_mass_;
  std::vector<std::vector<int64_t>> offsets_;
  at::Tensor coefficients_;  ///< [offsets] (skew) or [axes, offsets] (dissipative)
};

}  // namespace enflow::geometry

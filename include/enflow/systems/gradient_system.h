// Generalized gradient systems: dx/dt = ∂Ξ/∂x*(x, x*) at x* = ∂S/∂x, with a concave
// entropy S and a dissipation potential Ξ(x, ·) convex, Ξ(x, 0) = 0, so that
// dS/dt = ⟨x*, ∂Ξ/∂x*⟩ ≥ Ξ(x, x*) − Ξ(x, 0) ≥ 0: entropy never decreases.
//
// Grid systems (diffusion) write S and Ξ as discrete integrals (Σ … dx), use the
// variational derivative x* = δS/δx = (1/dx) ∂S/∂x, and dx/dt = (1/dx) ∂Ξ/∂x*, so
// dS/dt = Σ x*·(∂Ξ/∂x*) ≥ 0 still holds and nothing depends on the grid spacing.
#pragma once

#include <ATen/core/Tensor.h>

#include "enflow/ad/var.h"
#include "enflow/systems/system.h"

namespace enflow::systems {

class GeneralizedGradientSystem : public System {
 public:
  /// The (discrete, for grids) entropy S(x) → [B], written against ad::Var.
  virtual ad::Var entropy(const ad::Var& x) const = 0;
  /// The conjugate x* = ∂S/∂x (divided by dx for grid systems), [B, dim].
  virtual at::Tensor conjugate(const at::Tensor& x) const;
  /// The dissipation potential Ξ(x, x*) → [B].
  virtual at::Tensor dissipation(const at::Tensor& x, const at::Tensor& xstar) const = 0;
  /// ∂Ξ/∂x*(x, x*) (divided by dx for grid systems) → [B, dim]; time_derivative(x)
  /// equals it at x* = conjugate(x).
  virtual at::Tensor dissipation_gradient(const at::Tensor& x, const at::Tensor& xstar) const = 0;
};

/// Start types of the "diffusion" system (its parameter "start"): random Fourier series
/// (the training distribution) and three shapes for testing generalization.
enum class DiffusionStart { kFourier = 0, kPolynomial = 1, kDiscontinuous = 2, kGaussianSpike = 3 };
/// "fourier", "polynomial", "discontinuous", "gaussian" → the code stored as parameter
/// "start"; throws std::invalid_argument naming the accepted names.
double diffusion_start_code(const std::string& name);

}  // namespace enflow::systems

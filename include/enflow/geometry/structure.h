// Structure operators G in du/dt = G ∇H(u): skew G conserves H, negative semi-definite G
// dissipates it. Fixed operators are plain matrices; learnable ones are modules whose
// matrix() keeps the structure for every parameter value.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "enflow/geometry/grid_operators.h"
#include "enflow/registry.h"

namespace enflow::geometry {

/// What a structure is built for: the state dimension (grid points for a PDE), the grid
/// spacing of the difference operators, and the initial values of learned coefficients.
struct StructureOptions {
  TORCH_ARG(int64_t, dim) = 2;
  TORCH_ARG(double, dx) = 1.0;
  /// friction: R's initial diagonal (> 0; the config's model.friction_init).
  TORCH_ARG(double, friction_init) = 0.1;
  /// scaled_gradient_flow: c's initial value (> 0; model.scale_init).
  TORCH_ARG(double, scale_init) = 1.0;
  /// The grid_* structures: points per axis of a periodic grid, in tensor order ([H, W] or
  /// [D, H, W]); dim is then ignored. Empty: a 1-D grid of dim points.
  TORCH_ARG(std::vector<int64_t>, grid) = {};
  /// Their spacing per axis; empty: dx on every axis.
  TORCH_ARG(std::vector<double>, grid_spacing) = {};
  /// learned_skew_stencil / learned_dissipative_stencil: offsets up to this many points per
  /// axis (model.stencil_radius).
  TORCH_ARG(int64_t, stencil_radius) = 1;
  /// learned_dissipative_stencil and the R of learned_skew_dissipative_stencil: each K's
  /// coefficients sum to zero, so K 1 = 0 and R = KᵀK keeps the mass Σu (Cahn–Hilliard's
  /// Δ does; −I does not). model.stencil_keeps_mass.
  TORCH_ARG(bool, stencil_keeps_mass) = false;
};

/// Canonical symplectic S = [[0, I], [−I, 0]] for states (q, p), dim = 2n.
at::Tensor canonical_symplectic(int64_t dim);

/// A structure operator; matrix() is [dim, dim] in the module's dtype/device.
class StructureImpl : public torch::nn::Module {
 public:
  virtual at::Tensor matrix() = 0;
  virtual std::string kind() const = 0;
  /// "conservative" (skew) or "dissipative" (negative semi-definite symmetric part).
  virtual bool conservative() const = 0;
  /// G applied to a batch g [B, dim]: g Gᵀ. Grid structures apply G matrix-free and also
  /// take g [B, *grid].
  virtual at::Tensor apply(const at::Tensor& g);
  /// Whether apply() works without the dense matrix (stencils): models then never form it.
  virtual bool matrix_free() const { return false; }
};
using Structure = std::shared_ptr<StructureImpl>;

/// A fixed matrix (S, D, D₂, D D₂ D ...), stored as a buffer so it follows .to(dtype).
class FixedStructureImpl : public StructureImpl {
 public:
  FixedStructureImpl(at::Tensor G, std::string kind, bool conservative);
  at::Tensor matrix() override { return G_; }
  std::string kind() const override { return kind_; }
  bool conservative() const override { return conservative_; }

 private:
  at::Tensor G_;
  std::string kind_;
  bool conservative_;
};

/// S − R with R = diag(0, softplus(r)) ≥ 0 acting on the momenta: a damped mechanical
/// system whose friction is learned and stays non-negative for every parameter value.
/// For small friction softplus(r) ≈ eʳ: the parameter moves on a log scale, so light damping
/// (0.003–0.03) is reached from any start; train.structure_lr gives it its own step size.
class FrictionStructureImpl : public StructureImpl {
 public:
  explicit FrictionStructureImpl(int64_t dim, double initial_friction = 0.1);
  at::Tensor matrix() override;
  std::string kind() const override { return "friction"; }
  bool conservative() const override { return false; }
  at::Tensor friction();  ///< the diagonal of R on the momenta, [n]

 private:
  int64_t dim_;
  at::Tensor raw_;
};

/// −c·I with c = exp(s) > 0 learned: an L² gradient flow u_t = −c ∇F(u) whose mobility (or
/// time scale) is unknown. (G = −I, c fixed at 1, is the fixed structure gradient_flow.)
class ScaledGradientFlowImpl : public StructureImpl {
 public:
  ScaledGradientFlowImpl(int64_t dim, double scale_init = 1.0);
  at::Tensor matrix() override;
  std::string kind() const override { return "scaled_gradient_flow"; }
  bool conservative() const override { return false; }
  at::Tensor scale();  ///< c, a scalar tensor

 private:
  int64_t dim_;
  at::Tensor log_scale_;
};

/// Learnable skew A − Aᵀ (G unknown, conservative).
class LearnableSkewImpl : public StructureImpl {
 public:
  explicit LearnableSkewImpl(int64_t dim);
  at::Tensor matrix() override;
  std::string kind() const override { return "learnable_skew"; }
  bool conservative() const override { return true; }

 private:
  at::Tensor A_;
};

/// Learnable negative semi-definite −L Lᵀ plus skew A − Aᵀ (G unknown, dissipative).
class LearnableDissipativeImpl : public StructureImpl {
 public:
  explicit LearnableDissipativeImpl(int64_t dim);
  at::Tensor matrix() override;
  std::string kind() const override { return "learnable_dissipative"; }
  bool conservative() const override { return false; }

 private:
  at::Tensor A_, L_;
};

/// The structure table: name → one-line help and factory, registered by the file that
/// defines the structure. Shipped: symplectic, friction, D, D2, gradient_flow,
/// scaled_gradient_flow, learnable_skew, learnable_dissipative, and on periodic grids
/// (grid_structure.h) grid_dx, grid_dy, grid_dz, grid_laplacian, grid_dx_laplacian,
/// grid_gradient_flow, and (learned_stencil.h) learned_skew_stencil,
/// learned_dissipative_stencil.
struct StructureEntry {
  static constexpr const char* kKind = "structure";
  std::string help;
  std::function<Structure(const StructureOptions&)> make;
};
using StructureRegistry = Registry<StructureEntry>;
using StructureRegistrar = Registrar<StructureEntry>;

/// Builds a registered structure; dx is used by the difference operators. Throws
/// std::invalid_argument "unknown structure 'x' (known: ...)" and for initial values <= 0.
Structure make_structure(const std::string& name, const StructureOptions& options);
Structure make_structure(const std::string& name, int64_t dim, double dx = 1.0);

}  // namespace enflow::geometry

// Models of du/dt learned from trajectories: an energy network plus a structure
// (DGNet, HNN, HNN++), a separable energy (SRNN), or a plain vector field (NODE).
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "enflow/ad/discrete_gradient.h"
#include "enflow/models/force.h"
#include "enflow/models/ggd_options.h"

namespace enflow::models {

struct ModelOptions {
  /// dgnet | hnn | hnn++ | srnn | node | ggd
  TORCH_ARG(std::string, type) = "dgnet";
  TORCH_ARG(int64_t, dim) = 2;
  /// mlp | periodic_conv (energy network; NODE always uses an MLP)
  TORCH_ARG(std::string, network) = "mlp";
  TORCH_ARG(std::vector<int64_t>, hidden) = std::vector<int64_t>{200, 200};
  TORCH_ARG(int64_t, channels) = 200;
  TORCH_ARG(int64_t, kernel) = 3;
  TORCH_ARG(int64_t, depth) = 2;
  TORCH_ARG(std::string, activation) = "tanh";
  TORCH_ARG(std::string, init) = "orthogonal";
  /// A registered structure (geometry/structure.h): symplectic | friction | D | D2 |
  /// gradient_flow | scaled_gradient_flow | learnable_skew | learnable_dissipative
  TORCH_ARG(std::string, structure) = "symplectic";
  /// Initial values of the structure's learned coefficient: friction, scaled flow's c.
  TORCH_ARG(double, friction_init) = 0.1;
  TORCH_ARG(double, scale_init) = 1.0;
  /// Learned stencil structures: offsets up to this many grid points per axis.
  TORCH_ARG(int64_t, stencil_radius) = 1;
  /// Learned dissipative stencils with zero-sum rows: the dissipation keeps the mass.
  TORCH_ARG(bool, stencil_keeps_mass) = false;
  /// External force beside the energy, in the pseudo-Hamiltonian form du/dt = G∇H + f
  /// (Eidnes & Lye), for energy models (dgnet, hnn, hnn++): none; kConstant, a learned field
  /// f ∈ ℝᵈ (a value per state component or grid point) starting at 0; kNetwork, phlearn's
  /// learned f(x, t) on a 1-D periodic grid (dgnet only: the time reaches the model through
  /// the discrete-gradient step), starting at 0; kGiven, the values given_force (the
  /// reference system's f(x), in the user's units), not trained.
  TORCH_ARG(ForceKind, force) = ForceKind::kNone;
  TORCH_ARG(std::vector<double>, given_force) = {};
  /// kNetwork: hidden width of the force network's two tanh layers (phlearn: 100).
  TORCH_ARG(int64_t, force_hidden) = 100;
  TORCH_ARG(double, dx) = 1.0;
  /// Points per axis of a periodic 2-D or 3-D grid in tensor order ([ny, nx] or
  /// [nz, ny, nx]); the state [B, dim] is the grid flattened row-major (dim = product).
  /// Empty: a 1-D grid of dim points or an ODE state. On a grid, periodic_conv is the
  /// k×k(×k) convolution energy and the grid_* structures act matrix-free (docs/grids.md).
  TORCH_ARG(std::vector<int64_t>, grid) = {};
  /// Generalized gradient dynamics (type "ggd").
  TORCH_ARG(GgdOptions, ggd) = GgdOptions();
  /// Normalization u_n = (u − shift) / scale, one entry per state component (both empty:
  /// none). The model learns in u_n and speaks the user's units: du/dt = scale ⊙ f(u_n), the
  /// energy H(u) = H_n(u_n) and the structure diag(scale) G diag(scale) (a congruence: a
  /// skew G stays skew, a dissipative one dissipative). Not for srnn and ggd.
  TORCH_ARG(std::vector<double>, norm_shift) = {};
  TORCH_ARG(std::vector<double>, norm_scale) = {};
  /// State components that are angles (energy models with an MLP): the energy network sees
  /// (cos θ, sin θ) for each, so H is 2π-periodic in them whatever range the data cover.
  TORCH_ARG(std::vector<int64_t>, angles) = {};
};

class DynamicsModelImpl : public torch::nn::Module {
 public:
  virtual std::string type() const = 0;
  /// The model's du/dt at u [B, d]; differentiable when create_graph.
  virtual at::Tensor time_derivative(const at::Tensor& u, bool create_graph) = 0;
  /// Energy-based models (all but NODE) expose their energy and structure.
  virtual bool has_energy() const { return false; }
  virtual ad::EnergyFn energy_fn();
  /// The energy's gradient and discrete gradient (fast reverse passes for networks).
  virtual ad::EnergyDerivatives energy_derivatives() { return ad::derivatives_of(energy_fn()); }
  virtual at::Tensor structure_matrix();
  /// G applied to a batch of gradients g [B, d]: g Gᵀ, differentiable in g. The default
  /// multiplies by structure_matrix(); grid structures apply their stencil instead.
  virtual at::Tensor apply_structure(const at::Tensor& g);
  /// Whether apply_structure avoids the dense matrix (then the implicit step uses it too).
  virtual bool matrix_free_structure() { return false; }
  /// The external force of du/dt = G∇H + f (ModelOptions::force) at the times t [B] (undefined:
  /// t = 0): [d] when it does not depend on time, else [B, d]; undefined: no force. The
  /// implicit scheme (u₁ − u₀)/Δt = G∇̄H + f̄, f̄ the force at the step's midpoint time, has the
  /// exact energy balance H(u₁) − H(u₀) = Δt ∇̄H·(G∇̄H + f̄).
  virtual at::Tensor force(const at::Tensor& /*t*/ = {}) { return {}; }
  /// Whether force(t) depends on t (the stepper then passes each step's time).
  virtual bool time_dependent_force() { return false; }
  /// The structure's learned parameters (friction, a scaled flow's c, a learned G), which
  /// training may give their own learning rate; none for fixed structures and other models.
  virtual std::vector<at::Tensor> structure_parameters() { return {}; }
  /// G ∇̄H(u₁, u₀) + f(t_mid): the discrete-gradient scheme's approximation of (u₁ − u₀)/Δt,
  /// t_mid [B] the steps' midpoint times (undefined: 0; only time-dependent forces read it).
  /// Models with another discrete-time scheme (ggd) override it.
  virtual at::Tensor discrete_time_derivative(const at::Tensor& u1, const at::Tensor& u0,
                                              bool create_graph, const at::Tensor& t_mid = {});
  /// Models that solve their own implicit discrete-time step (ggd) return u₁ from u [B, d]
  /// over dt; the default (undefined tensor) selects the G ∇̄H Newton step.
  virtual at::Tensor implicit_step(const at::Tensor& u, double dt, double newton_tol,
                                   int max_iterations);
  /// Separable models (SRNN) give ∂V/∂q and ∂T/∂p for leapfrog.
  virtual bool separable() const { return false; }
  virtual at::Tensor dV_dq(const at::Tensor& q, bool create_graph);
  virtual at::Tensor dT_dp(const at::Tensor& p, bool create_graph);
};
using DynamicsModel = std::shared_ptr<DynamicsModelImpl>;

/// Builds a model; throws std::invalid_argument for unknown types, networks or structures.
DynamicsModel make_model(const ModelOptions& options);

}  // namespace enflow::models

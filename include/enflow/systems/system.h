// Reference physical systems: the ground truth that models learn from. Each system knows
// its state layout, its exact dynamics, the invariants it keeps (energy, mass), how to
// draw initial conditions, and a structure-preserving reference solver.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "enflow/ad/var.h"

namespace enflow::systems {

/// Named scalar parameters (e.g. {"alpha", -6}, {"dx", 0.2}).
using Params = std::map<std::string, double>;

/// Every system: du/dt = f(u) on states [B, dim].
class System {
 public:
  virtual ~System() = default;
  virtual std::string name() const = 0;
  /// State dimension (grid points for a 1-D PDE, 2n for (q, p) systems).
  virtual int64_t dim() const = 0;
  /// Grid spacing for PDEs on periodic grids, 0 for ODEs.
  virtual double dx() const { return 0.0; }
  /// Points per axis of a 2-D/3-D periodic grid in tensor order ([ny, nx] or [nz, ny, nx]);
  /// states are the grid flattened row-major. Empty for ODEs and 1-D grids.
  virtual std::vector<int64_t> grid() const { return {}; }
  /// The parameters that define the system (written into datasets).
  virtual Params parameters() const = 0;
  /// The exact right-hand side f(u), [B, dim] → [B, dim].
  virtual at::Tensor time_derivative(const at::Tensor& u) const = 0;
  /// n initial states [n, dim] drawn with the given seed (the HNN/DGNet protocols).
  virtual at::Tensor sample_initial(int64_t n, uint64_t seed) const = 0;
  /// One step of the structure-preserving reference solver from u [B, dim]. Implicit
  /// solvers throw std::runtime_error if Newton does not converge.
  virtual at::Tensor reference_step(const at::Tensor& u, double dt) const = 0;
  /// Named conserved or dissipated quantities of u [B, dim] → [B] each ("energy", "mass",
  /// "angular_momentum", "entropy"...), used by `enflow inspect` and the metrics.
  virtual std::map<std::string, at::Tensor> invariants(const at::Tensor& u) const = 0;
  /// The known external force f(x) [dim] of a forced system (phlearn's PDEs), what
  /// `model.force = "given"` puts beside a learned energy; undefined: none.
  virtual at::Tensor external_force() const { return {}; }
};

/// Systems of the form du/dt = G ∇H(u), G skew or negative semi-definite: mass-spring,
/// pendulum, 2-body, KdV, Cahn–Hilliard. H is written against ad::Var, so its discrete
/// gradient is available for structure-preserving steps.
class EnergySystem : public System {
 public:
  /// The (discrete, for PDEs) energy H(u) → [B].
  virtual ad::Var energy(const ad::Var& u) const = 0;
  /// G as a dense [dim, dim] matrix (float64): S for canonical systems, D or D₂-type
  /// difference operators for PDEs.
  virtual at::Tensor structure() const = 0;
};

/// Builds a system by name with parameter overrides; throws std::invalid_argument for an
/// unknown name or parameter, listing the known ones.
std::unique_ptr<System> make_system(const std::string& name, const Params& overrides = {});
/// Names accepted by make_system.
std::vector<std::string> system_names();

}  // namespace enflow::systems

// The linear solver inside the discrete-gradient scheme's Newton iterations: the dense
// per-sample Jacobian (d reverse passes, O(d²) memory, O(d³) inverse) or matrix-free GMRES
// on Jacobian–vector products (O(restart·d) memory per sample).
#pragma once

#include <cstdint>
#include <string>

namespace enflow::integrators {

enum class LinearSolver {
  kAuto,   ///< kDense up to kGmresAutoDim state components, kGmres above
  kDense,  ///< the [B, d, d] Jacobian by one batched reverse pass, inverted
  kGmres,  ///< matrix-free Newton–Krylov: restarted GMRES on autograd JVPs
};

/// kAuto's switch. The dense route's memory grows as d² per sample (d copies of the sample
/// through the energy network, the [d, d] Jacobian and its inverse): measured 0.12 GiB at
/// d = 256 and 1.8 GiB at d = 1024 for an 8-channel 2-D conv DGNet (docs/grids.md,
/// "Newton–Krylov"). Every shipped system (1-D grids up to 100 points, 16 × 16 in 2-D) stays
/// dense, where a rollout reuses one Jacobian over many steps.
inline constexpr int64_t kGmresAutoDim = 256;

/// kAuto resolved for a state of d components.
LinearSolver resolve_linear_solver(LinearSolver s, int64_t d);

/// "auto" | "dense" | "gmres"; throws std::invalid_argument "unknown <key> 'x'; known: ...".
LinearSolver linear_solver_from_string(const std::string& name, const std::string& key);
const char* to_string(LinearSolver s);

}  // namespace enflow::integrators

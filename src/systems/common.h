// Internal helpers shared by the reference systems.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "enflow/systems/system.h"

namespace enflow::systems::detail {

/// Portable seeded random numbers: the same seed gives the same numbers with every
/// standard library and LibTorch version (std:: distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box–Muller).
  double normal();
  /// Integer in [0, n).
  int64_t below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }

 private:
  std::mt19937_64 gen_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

/// Merges overrides into defaults; throws std::invalid_argument naming an unknown key and
/// listing the known ones.
Params merge_params(const std::string& system, const Params& defaults, const Params& overrides);

/// Throws std::invalid_argument unless u is a float64 [B, dim] tensor.
void check_state(const at::Tensor& u, int64_t dim, const std::string& who);

/// Energy-conserving reference step for canonical ODEs: the implicit discrete-gradient
/// scheme (symmetric, second order), composed by Yoshida's triple jump to fourth order,
/// with `substeps` sub-steps per dt. Every sub-step conserves H to the Newton tolerance.
at::Tensor composed_discrete_gradient_step(const EnergySystem& system, const at::Tensor& u,
                                           double dt, int64_t substeps);

/// Classical RK4 with `substeps` sub-steps of the system's exact vector field.
at::Tensor rk4_substeps(const System& system, const at::Tensor& u, double dt, int64_t substeps);

/// Newton for a reference scheme r(v) = 0 with an analytic Jacobian ([B, n, n] at v), from
/// `guess`: stops one step after max |r| ≤ tol (that step takes the residual to rounding) and
/// throws std::runtime_error naming `who`, the iterations and the residual when it does not
/// converge within 50 iterations — never returns an unconverged step.
at::Tensor reference_newton(const std::function<at::Tensor(const at::Tensor&)>& residual,
                            const std::function<at::Tensor(const at::Tensor&)>& jacobian,
                            at::Tensor guess, double tol, const std::string& who);

int64_t positive_int_param(const Params& p, const std::string& key, const std::string& system);

}  // namespace enflow::systems::detail

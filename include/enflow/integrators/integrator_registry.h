// The integrator table: every time-stepping scheme a model can train through or predict
// with, registered by the file that implements it (torchdiffeq's one solver table). The
// model layer (models/stepper.h) looks schemes up here; adding one is one file.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>

#include "enflow/integrators/explicit_rk.h"
#include "enflow/registry.h"

namespace enflow::integrators {

/// What an explicit scheme may ask of the model.
struct ExplicitField {
  VectorField f;             ///< du/dt
  VectorField dV_dq, dT_dp;  ///< separable models (H = T(p) + V(q)) only; empty otherwise
};

struct StepTolerances {
  double rtol = 1e-6, atol = 1e-8;  ///< adaptive schemes
};

struct IntegratorEntry {
  static constexpr const char* kKind = "integrator";
  std::string help;  ///< one line, for --help and the docs
  /// The implicit discrete-gradient scheme: solved by Newton in the model layer, needs an
  /// energy model; `step` is empty.
  bool implicit = false;
  bool needs_separable = false;  ///< uses dV_dq and dT_dp (leapfrog)
  /// (Φ_h(u) − u)/h is the rate at u itself (explicit Euler): the only scheme that may be
  /// fitted to central differences.
  bool pointwise = false;
  /// One step of size h from u [B, d].
  std::function<at::Tensor(const ExplicitField&, const at::Tensor& u, double h,
                           const StepTolerances&)>
      step;
};

using IntegratorRegistry = Registry<IntegratorEntry>;
using IntegratorRegistrar = Registrar<IntegratorEntry>;

/// The registered entry; throws std::invalid_argument "unknown integrator 'x' (known: ...)".
inline const IntegratorEntry& integrator(const std::string& name) {
  return IntegratorRegistry::instance().at(name);
}

}  // namespace enflow::integrators

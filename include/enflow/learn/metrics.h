// Evaluation of a learned model on test series (definitions in docs/dgnet.md):
//   deriv_mse  — mean over all test states and components of (f(u) − f̂(u))², f the
//                system's exact du/dt and f̂ the model's continuous-time du/dt (G∇H(u) for
//                energy models), as in the DGNet paper's "Deriv."; NaN without a system
//                and for imported data (io::Dataset::source), whose du/dt is not the system's;
//   step_mse   — mean over test pairs and components of ((u₁ − u₀)/Δt − rate)², rate
//                from the model's training scheme (the one-step difference MSE);
//   state_mse  — mean squared error of the long-term prediction from each test initial
//                state over the series' time grid (against the noise-free orbit, from
//                its initial state, when the data are noisy draws of a known system);
//   energy_mse, mass_mse — mean over series and time of (I(prediction) − I(truth))² for
//                the system's true energy and mass (when the system defines them).
#pragma once

#include <ATen/core/Tensor.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "enflow/io/dataset.h"
#include "enflow/models/model.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/system.h"

namespace enflow::learn {

struct Evaluation {
  double deriv_mse = std::numeric_limits<double>::quiet_NaN();
  double step_mse = 0.0;
  double state_mse = 0.0;
  /// True when the data are noisy draws of a known system and prediction, state and
  /// invariant metrics used the regenerated noise-free orbits (systems::noise_free_states).
  bool noise_free_truth = false;
  std::map<std::string, double> invariant_mse;  ///< "energy", "mass", ...
  at::Tensor prediction;                        ///< [S, T, D]
  at::Tensor truth;                             ///< [S, T, D]
  /// Time points predicted per series when the series differ in length (beyond them the
  /// prediction and the truth repeat their last row); empty when all have T.
  std::vector<int64_t> lengths;
  std::map<std::string, at::Tensor> invariant_prediction, invariant_truth;  ///< [S, T]
  /// Energy models (not NODE, not GGD, whose entropy has its own plots): H_θ along the
  /// prediction and along the observed states, [S, T] float64, for every dataset — imported
  /// records included.
  at::Tensor learned_energy, learned_energy_truth;
  /// The same models: max over steps of |H(u_{k+1}) − H(u_k) − Δt ∇̄H·(G∇̄H + f)| / max|H|
  /// along the prediction — rounding for the discrete-gradient scheme (the energy changes
  /// exactly by the dissipation and the force's work); NaN for other models.
  double energy_balance_residual = std::numeric_limits<double>::quiet_NaN();
  /// Prediction steps (summed over series) the implicit scheme took as halves; the balance
  /// residual leaves them out (each half keeps it, the composed step need not).
  int64_t halved_steps = 0;
  /// Models that learn their structure G_θ, on a system with a known G: how far G_θ is from
  /// G (structure_identification_error); NaN otherwise.
  double structure_identification_error = std::numeric_limits<double>::quiet_NaN();
};

/// The TNNLS "identification" error of a learned structure: min over s of
/// ‖s G_θ − G‖_F / ‖G‖_F with G the system's structure (systems::EnergySystem::structure)
/// and G_θ the model's (structure_matrix, in the user's units). The scalar s removes the
/// one ambiguity data cannot resolve: H → cH, G → G/c give the same G∇H. Equal to the sine
/// of the angle between G_θ and G: 0 when G_θ ∝ G, 1 when orthogonal. NaN when the model
/// learns no structure (structure_parameters empty), the system has no G or its dimension
/// differs from the model's, or the state exceeds `max_dim` (dense matrices).
double structure_identification_error(models::DynamicsModelImpl& model,
                                      const systems::System& system, int64_t max_dim = 4096);

/// The learned energy's law along a prediction H [S, T]: its largest relative change from
/// the first state, and its largest one-step increase relative to max |H| (≤ rounding for an
/// energy-keeping scheme, conservative or dissipative).
struct LearnedEnergyLaw {
  double rel_drift = 0.0, max_rel_increase = 0.0;
};
LearnedEnergyLaw learned_energy_law(const at::Tensor& H);

/// Mean squared error of the model's continuous-time du/dt against the system's exact one
/// at states [N, d] (any dtype; evaluated in chunks of `chunk` states).
double derivative_mse(models::DynamicsModelImpl& model, const systems::System& system,
                      const at::Tensor& states, int64_t chunk = 4096);

/// Evaluates on the given series. `system` may be null (no invariant metrics). `steps`
/// limits the prediction horizon (0: the whole series). `derivative` names the observed
/// rate of step_mse: "forward" differences of consecutive states or "central" differences
/// (central_pairs.h), as in training. `angles` (model.angles) are compared modulo 2π in
/// state_mse.
Evaluation evaluate(models::DynamicsModelImpl& model, const io::Dataset& data,
                    const std::vector<int64_t>& series, const models::StepOptions& train_step,
                    const models::StepOptions& predict_step, const systems::System* system,
                    int64_t steps = 0, const std::string& derivative = "forward",
                    const std::vector<int64_t>& angles = {});

}  // namespace enflow::learn

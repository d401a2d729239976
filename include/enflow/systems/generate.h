// Trajectory datasets from the reference systems: the papers' protocols (number of
// series, steps, time step, observation noise, train/test split), and the generator.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "enflow/io/dataset.h"
#include "enflow/progress.h"
#include "enflow/systems/system.h"

namespace enflow::systems {

/// How a dataset is drawn. `steps` time steps give steps + 1 stored time points
/// t = 0, dt, ..., steps·dt; the first floor(series·train_fraction) series are the
/// training set, the rest the test set.
struct Protocol {
  int64_t series = 50;
  int64_t steps = 100;
  double dt = 0.1;
  double noise = 0.0;  ///< std of Gaussian observation noise added to the stored states
  double train_fraction = 0.8;
  std::string source;  ///< where the defaults come from (paper / choice)
};

/// The default protocol of a system. variant "" or "hnn" is the Hamiltonian Neural
/// Networks setting for the ODEs; "dgnet" the DGNet setting for mass-spring and pendulum
/// (t in [0, 20], 100 points) and two-body (t in [0, 25], 500 points). Throws
/// std::invalid_argument for an unknown pair.
Protocol default_protocol(const std::string& system, const std::string& variant = "");
/// Variants accepted by default_protocol for a system.
std::vector<std::string> protocol_variants(const std::string& system);

/// Draws the initial states with `seed`, integrates them with the system's reference
/// solver, adds observation noise (seeded from `seed` too) and records the split; `progress`
/// hears of every step (iteration of iterations). The
/// same arguments give the same dataset, bit for bit.
io::Dataset generate_dataset(const System& system, const Protocol& protocol, uint64_t seed,
                             const ProgressFn& progress = nullptr);

/// The noise-free states of a dataset drawn by generate_dataset with observation noise:
/// the same initial states (same seed, series, steps and dt), integrated again without the
/// noise, so that long-term predictions can be scored against the true orbits, as the
/// reference protocols do. Throws std::invalid_argument for data of another system, with
/// irregular time stamps, or whose first states do not match the seed's (imported data).
at::Tensor noise_free_states(const System& system, const io::Dataset& noisy);

/// Drift of each invariant along the series of states [S, T, D]: for every invariant
/// I, max over series and time of |I(t) − I(0)| / max(|I(0)|, 1) ("<name>_drift":
/// relative where |I(0)| ≥ 1, absolute below, so invariants that start at zero, like the
/// 2-body momentum, are not divided by zero), the same without the division
/// ("<name>_abs_drift"), and the largest single-step increase ("<name>_max_increase") and
/// decrease ("<name>_max_decrease"), with the same scaling.
std::map<std::string, double> invariant_drifts(const System& system, const at::Tensor& states);

/// Parses KEY=VALUE parameter overrides (command line) into numbers; the diffusion
/// system's "start" may also be given by name. Throws std::invalid_argument.
Params parse_param_overrides(const std::vector<std::string>& items, const std::string& system);

}  // namespace enflow::systems

// Internal: what the EVNN drivers (evnn.cpp, evnn_eulerian.cpp, evnn_lagrangian.cpp) share —
// the settings every run reads, and the stepping loop that records the energy law.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "enflow/flows/evnn.h"
#include "flows/optimize.h"

namespace enflow::io {
class Config;
}

namespace enflow::flows {

/// Throws std::invalid_argument(msg) unless ok.
void require(bool ok, const std::string& msg);

/// Refuses, before any work, a point set (quadrature or particles) whose network evaluation
/// would not fit in the memory available now: a rough estimate of `points` × the activations
/// of the [net] network (forward, backward and the spatial gradient), named by `key`.
void check_point_count(const io::Config& c, const std::string& key, double points, int64_t dim);

/// Settings every EVNN run reads (time, optimizer, output, run).
struct RunSettings {
  std::string kind;
  uint64_t seed = 0;
  torch::TensorOptions opts;
  double tau = 0;
  int64_t steps = 0, error_every = 1, snapshots = 3, fit_iter = 0;
  nn::OptimizerOptions optimizer;
};

/// Reads and checks them; tau, steps, max_iter and error_every are the problem's defaults.
RunSettings read_run_settings(const io::Config& c, double tau, int64_t steps, int64_t max_iter,
                              int64_t error_every);

/// A tensor's values as doubles (for CSV, JSON and plots).
std::vector<double> to_vector(const at::Tensor& t);

/// One run's stepping: the solver's step and state, and what to record along the way.
struct Stepper {
  std::function<StepReport()> step;
  std::function<double()> time, energy;
  std::function<void(double t)> errors;  ///< records errors at t (optional)
  std::function<void()> snapshot;        ///< records a solution snapshot (optional)
};

/// Steps `steps` times; records t, the discrete energy (energy_increases counts any rise),
/// acceptance and wall time of every step, errors every error_every steps and at the end,
/// `snapshots` evenly spaced snapshots, and progress.
void drive(const RunSettings& k, const Stepper& s, const ProgressFn& progress, EvnnResult* r);

EvnnResult run_eulerian(const io::Config& c, const ProgressFn& progress,
                        const std::shared_ptr<distributed::Group>& group);
EvnnResult run_lagrangian(const io::Config& c, const ProgressFn& progress,
                          const std::shared_ptr<distributed::Group>& group);

}  // namespace enflow::flows

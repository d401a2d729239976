// Learning from a config, as one run each (enflow/run.h): train a model on a dataset
// (Adam, then optional L-BFGS, checkpoints, the model file), evaluate it on its test series,
// predict with it and write the prediction and its plots. `enflow train / evaluate /
// predict`, the DGNet reproduction and the Python package call these.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "enflow/run.h"

namespace enflow::io {
class Config;
struct Dataset;
}  // namespace enflow::io

namespace enflow::distributed {
class Group;
}

namespace enflow::learn {

struct TrainRequest {
  bool resume = false;  ///< continue from the model's checkpoint
  /// Data in memory (the Python package, a program): trained on instead of reading
  /// data.path, which may then be absent (the model file records it only when given).
  std::shared_ptr<const io::Dataset> dataset;
  /// Data-parallel training over this group (distributed::init_from_environment; null: one
  /// process): every rank calls train_experiment with the same config; rank 0 alone says
  /// what happens, writes the model and checkpoints and scores the test series.
  std::shared_ptr<distributed::Group> group;
};

/// Trains the experiment of `config` (data.path, [model], [train], output.model — default
/// results/<config stem>.pt). Metrics: model, iterations, train_loss, test_step_mse (NaN
/// without a test split), seconds, loss_iterations and loss_curve (the mean loss of each log
/// interval); files: the model. Bad keys and values are refused before
/// any work; the checkpoint is committed as training goes (learn/trainer.h).
RunResult train_experiment(io::Config config, const TrainRequest& request,
                           const RunContext& context);

struct EvaluateRequest {
  std::string model;            ///< model file written by train_experiment
  std::string data;             ///< dataset; default: the one the model was trained on
  std::string integrator;       ///< prediction scheme; default: the model type's
  std::string step_integrator;  ///< scheme of the step MSE; default: the training scheme
  int64_t steps = 0;            ///< prediction horizon in steps; 0: whole series
  bool all_series = false;      ///< every series, not only the test split
  /// Compute in this dtype ("float64" for a float32 model); "": the model's.
  std::string dtype;
  /// Data in memory, scored instead of reading `data` or the model's data.path.
  std::shared_ptr<const io::Dataset> dataset;
};

/// Metrics of the model on its series: model, series, integrator, step_integrator, deriv_mse
/// (only when the data's system gives the true du/dt), step_mse, state_mse and
/// <invariant>_mse for the reference system's invariants.
RunResult evaluate_experiment(const EvaluateRequest& request);

/// The prediction from the series' initial states written to `output` (HDF5) with its plots
/// in `plot_dir` (default: beside output). Metrics: output, series, steps, state_mse.
RunResult predict_experiment(const EvaluateRequest& request, const std::string& output,
                             const std::string& plot_dir = "");

}  // namespace enflow::learn

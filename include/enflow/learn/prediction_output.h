// A trained model with the data it is scored on, and the files `enflow predict` writes
// from an evaluation: the predicted trajectories (HDF5) and plots. Shared by `predict`
// and the DGNet reproduction, which evaluates once and writes from the same result.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "enflow/io/dataset.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/model_io.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/system.h"

namespace enflow::learn {

struct LoadedForEval {
  learn::LoadedModel lm;
  io::Dataset data;
  std::unique_ptr<systems::System> system;  ///< null for imported data of an unknown system
  std::vector<int64_t> series;              ///< the series scored
  models::StepOptions predict;              ///< the prediction scheme
  models::StepOptions step;                 ///< the step MSE's scheme (training's by default)
};

/// Loads a model file and its dataset (`data_path` overrides the one it was trained on),
/// on the test series (every series when `all_series` or the data have no test split);
/// `integrator` overrides the config's prediction scheme and `step_integrator` the training
/// scheme that the step MSE uses; `data`, when given, is used instead of any file. Throws on
/// a dimension mismatch.
LoadedForEval load_for_eval(const std::string& model_path, const std::string& data_path = "",
                            const std::string& integrator = "", bool all_series = false,
                            const std::string& step_integrator = "",
                            const io::Dataset* data = nullptr);

/// learn::evaluate with the step scheme of `l`; `steps` as there (0: all).
learn::Evaluation evaluate_loaded(const LoadedForEval& l, int64_t steps = 0);

/// Writes the prediction of `ev` to `out` (HDF5, atomically) and its plots (energy and
/// other invariants over time; space-time pictures of prediction and error for PDEs; GGD
/// pictures) into `plot_dir` (default: beside `out`). Returns the plot paths.
std::vector<std::string> write_prediction(const LoadedForEval& l, const learn::Evaluation& ev,
                                          const std::string& out, const std::string& plot_dir = "");

}  // namespace enflow::learn

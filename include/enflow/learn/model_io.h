// Model files: parameters plus the TOML config that built them, in one LibTorch archive,
// written atomically — `enflow evaluate` and `predict` need nothing else.
#pragma once

#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/models/model.h"

namespace enflow::learn {

/// Every key an experiment config (`enflow train --config`) may contain; others are typos.
const std::vector<std::string>& experiment_config_keys();

/// Model options from a config's [model] table; dim and dx come from the data.
models::ModelOptions model_options_from_config(const io::Config& config, int64_t dim, double dx);

void save_model(const std::string& path, models::DynamicsModelImpl& model,
                const io::Config& config);

struct LoadedModel {
  models::DynamicsModel model;
  io::Config config;
};
/// Throws std::runtime_error naming the file if it is missing or not an enflow model.
LoadedModel load_model(const std::string& path);

}  // namespace enflow::learn

// Model files: parameters plus the TOML config that built them, in one LibTorch archive,
// written atomically — `enflow evaluate` and `predict` need nothing else.
#pragma once

#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/io/key_spec.h"
#include "enflow/models/model.h"

namespace enflow::learn {

/// Every key an experiment config (`enflow train --config`) may contain, with its type,
/// default and meaning (`enflow train --help`, `enflow explain KEY`); others are typos.
const std::vector<io::KeySpec>& experiment_key_specs();
const std::vector<std::string>& experiment_config_keys();

/// The grid spacing a model of this dataset builds its structure operator (D, D₂) with:
/// a "dx" parameter if the dataset records one (imported grid data), else the reference
/// system's (length / points for KdV and Cahn–Hilliard), else 1 (ODE data, where no
/// structure uses it). Until 2026-12-02 `enflow train` read only "dx", which generated PDE
/// datasets do not record, and so trained grid models with dx = 1 (docs/dgnet.md).
double dataset_grid_spacing(const io::Dataset& data);

/// The 2-D/3-D grid the dataset's states live on: its /grid record, else the reference
/// system's grid (from its parameters), else empty (ODEs, 1-D grids, unknown systems).
std::vector<int64_t> dataset_grid_shape(const io::Dataset& data);

/// Model options from a config's [model] table (and data.grid); dim and dx come from the data.; dim
/// and dx come from the data.
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

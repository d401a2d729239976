// Config keys of generalized gradient dynamics models (model.type = "ggd").
#pragma once

#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/models/ggd_options.h"

namespace enflow::learn {

/// GgdOptions from model.entropy, model.dissipation, model.entropy_hidden,
/// model.dissipation_hidden, model.entropy_output, model.entropy_curvature,
/// model.entropy_basis, model.x_activation, model.x_features, model.xbar, model.system and
/// model.system_params.
models::GgdOptions ggd_options_from_config(const io::Config& config);

/// For a ggd model with a prescribed potential and no model.system, records the dataset's
/// system and parameters in the config, so the saved model rebuilds without the data.
void record_ggd_system(io::Config& config, const io::Dataset& data);

/// Throws std::invalid_argument if a ggd model's options need positive states
/// (model.entropy_basis "ideal_mixture", model.x_features "log") and the data has one ≤ 0.
void check_ggd_data(const io::Config& config, const io::Dataset& data);

}  // namespace enflow::learn

// How a learning config (TOML) maps to steps and metrics, shared by `enflow train`,
// `evaluate`, `predict` and the DGNet reproduction: the training and prediction schemes
// each model type defaults to, the observed rate the loss uses, and the reference system
// of a dataset.
#pragma once

#include <memory>
#include <string>

#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/models/stepper.h"
#include "enflow/systems/system.h"

namespace enflow::learn {

/// train.integrator (default by model type: dgnet → discrete_gradient, srnn → leapfrog,
/// ggd → euler, others → rk2) with train.rtol / train.atol.
models::StepOptions train_step_options(const io::Config& c);
/// predict.integrator (dgnet, ggd → discrete_gradient; srnn → leapfrog; others → dopri5).
models::StepOptions predict_step_options(const io::Config& c);
/// train.derivative: "forward" or "central" (only with the pointwise "euler" rate).
std::string train_derivative(const io::Config& c);
/// The dataset's reference system, or null for imported data of an unknown system.
std::unique_ptr<systems::System> system_of(const io::Dataset& d);

}  // namespace enflow::learn

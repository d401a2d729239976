// The model-type table: dgnet, hnn, hnn++, srnn, node, ggd and any type a program registers,
// each with the integrators it trains and predicts with unless the config says otherwise.
// Registered by the file that defines the model.
#pragma once

#include <functional>
#include <string>

#include "enflow/models/model.h"
#include "enflow/nn/energy_net.h"
#include "enflow/registry.h"

namespace enflow::models {

struct ModelTypeEntry {
  static constexpr const char* kKind = "model type";
  std::string help;                ///< one line, for --help and the docs
  std::string train_integrator;    ///< default train.integrator (integrator table name)
  std::string predict_integrator;  ///< default predict.integrator
  /// Default observed rate when trained through a pointwise integrator: "forward" or
  /// "central" differences.
  std::string pointwise_derivative = "forward";
  std::function<DynamicsModel(const ModelOptions&)> make;
};

/// The energy-network table (model.network): mlp, periodic_conv, and any a program registers;
/// the factory reads the ModelOptions it needs (hidden widths, channels, kernel, ...).
struct EnergyNetworkEntry {
  static constexpr const char* kKind = "energy network";
  std::string help;
  std::function<nn::EnergyNet(const ModelOptions&)> make;
  /// Takes states in the grid's shape [B, *grid] on 2-D/3-D grids (ModelOptions::grid); the
  /// model reshapes its flat states for it. Otherwise it sees [B, dim].
  bool grid_shaped = false;
};
using EnergyNetworkRegistry = Registry<EnergyNetworkEntry>;
using EnergyNetworkRegistrar = Registrar<EnergyNetworkEntry>;

using ModelTypeRegistry = Registry<ModelTypeEntry>;
using ModelTypeRegistrar = Registrar<ModelTypeEntry>;

/// The registered entry; throws std::invalid_argument "unknown model type 'x' (known: ...)".
inline const ModelTypeEntry& model_type(const std::string& name) {
  return ModelTypeRegistry::instance().at(name);
}

}  // namespace enflow::models

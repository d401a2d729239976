#include "enflow/learn/experiment_config.h"

#include <stdexcept>

#include "enflow/integrators/integrator_registry.h"
#include "enflow/integrators/linear_solver.h"
#include "enflow/models/model_registry.h"

namespace enflow::learn {
models::StepOptions train_step_options(const io::Config& c) {
  return models::StepOptions()
      .integrator(
          c.get_string("train.integrator",
                       models::model_type(c.get_string("model.type", "dgnet")).train_integrator))
      .rtol(c.get_double("train.rtol", 1e-6))
      .atol(c.get_double("train.atol", 1e-8));
}

models::StepOptions predict_step_options(const io::Config& c) {
  const auto& type = models::model_type(c.get_string("model.type", "dgnet"));
  return models::StepOptions()
      .integrator(c.get_string("predict.integrator", type.predict_integrator))
      .rtol(c.get_double("train.rtol", 1e-6))
      .atol(c.get_double("train.atol", 1e-8))
      .linear_solver(integrators::linear_solver_from_string(
          c.get_string("predict.linear_solver", "auto"), "predict.linear_solver"));
}

// Observed rate the loss compares with: "central" differences need a rate at a point
// (a pointwise integrator), so a model type may make them its default only there.
std::string train_derivative(const io::Config& c) {
  const auto integ = train_step_options(c).integrator();
  const bool pointwise = integrators::integrator(integ).pointwise;
  const auto d = c.get_string(
      "train.derivative",
      pointwise ? models::model_type(c.get_string("model.type", "dgnet")).pointwise_derivative
                : "forward");
  if (d == "central" && !pointwise) {
    throw std::invalid_argument(
        "train.derivative = \"central\" needs train.integrator = \"euler\" "
        "(the rate at the observed state), not '" +
        integ + "'");
  }
  return d;
}

std::unique_ptr<systems::System> system_of(const io::Dataset& d) {
  try {
    return systems::make_system(d.system, d.params);
  } catch (const std::exception&) {
    return nullptr;  // imported data of an unknown system: no invariant metrics
  }
}

}  // namespace enflow::learn

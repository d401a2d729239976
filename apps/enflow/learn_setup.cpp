#include "learn_setup.h"

#include <stdexcept>

namespace enflow::cli {
namespace {

std::string default_train_integrator(const std::string& type) {
  if (type == "dgnet") return "discrete_gradient";
  if (type == "srnn") return "leapfrog";
  if (type == "ggd") return "euler";  // the rate f(x_k), fitted to central differences
  return "rk2";
}

}  // namespace

models::StepOptions train_step(const io::Config& c) {
  return models::StepOptions()
      .integrator(c.get_string("train.integrator",
                               default_train_integrator(c.get_string("model.type", "dgnet"))))
      .rtol(c.get_double("train.rtol", 1e-6))
      .atol(c.get_double("train.atol", 1e-8));
}

models::StepOptions predict_step(const io::Config& c) {
  const auto type = c.get_string("model.type", "dgnet");
  auto dflt = (type == "dgnet" || type == "ggd") ? "discrete_gradient"
                                                 : (type == "srnn" ? "leapfrog" : "dopri5");
  return models::StepOptions()
      .integrator(c.get_string("predict.integrator", dflt))
      .rtol(c.get_double("train.rtol", 1e-6))
      .atol(c.get_double("train.atol", 1e-8));
}

// Observed rate the loss compares with: "central" differences need a rate at a point
// (the "euler" rate), so they are the default only there, for ggd models.
std::string train_derivative(const io::Config& c) {
  const auto integ = train_step(c).integrator();
  const bool pointwise = integ == "euler";
  const auto d =
      c.get_string("train.derivative",
                   pointwise && c.get_string("model.type", "") == "ggd" ? "central" : "forward");
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

}  // namespace enflow::cli

#include "enflow/learn/ggd_config.h"

#include <fmt/core.h>

#include <stdexcept>

namespace enflow::learn {

models::GgdOptions ggd_options_from_config(const io::Config& c) {
  const models::GgdOptions d;
  return models::GgdOptions()
      .entropy(c.get_string("model.entropy", d.entropy()))
      .dissipation(c.get_string("model.dissipation", d.dissipation()))
      .entropy_hidden(c.get_ints("model.entropy_hidden", d.entropy_hidden()))
      .dissipation_hidden(c.get_ints("model.dissipation_hidden", d.dissipation_hidden()))
      .entropy_output(c.get_string("model.entropy_output", d.entropy_output()))
      .entropy_curvature(c.get_double("model.entropy_curvature", d.entropy_curvature()))
      .entropy_basis(c.get_string("model.entropy_basis", d.entropy_basis()))
      .x_activation(c.get_string("model.x_activation", d.x_activation()))
      .x_features(c.get_string("model.x_features", d.x_features()))
      .xbar(c.get_string("model.xbar", d.xbar()))
      .system(c.get_string("model.system", d.system()))
      .system_params(c.get_string("model.system_params", d.system_params()));
}

void record_ggd_system(io::Config& c, const io::Dataset& data) {
  if (c.get_string("model.type", "") != "ggd" || c.has("model.system")) return;
  if (c.get_string("model.entropy", "learned") != "system" &&
      c.get_string("model.dissipation", "learned") != "system") {
    return;
  }
  std::string params;
  for (const auto& [k, v] : data.params)
    params += fmt::format("{}{}={:.17g}", params.empty() ? "" : " ", k, v);
  // TOML basic strings: names and numbers need no escaping.
  c.set("model.system", "\"" + data.system + "\"");
  c.set("model.system_params", "\"" + params + "\"");
}

void check_ggd_data(const io::Config& c, const io::Dataset& data) {
  if (c.get_string("model.type", "") != "ggd") return;
  const auto g = ggd_options_from_config(c);
  std::string needs;
  if (g.entropy_basis() == "ideal_mixture")
    needs = "model.entropy_basis = \"ideal_mixture\"";
  else if (g.x_features() == "log")
    needs = "model.x_features = \"log\"";
  if (needs.empty()) return;
  const double lo = data.states.min().item<double>();
  if (!(lo > 0)) {
    throw std::invalid_argument(
        fmt::format("{} needs positive states; the data's smallest is {:g}", needs, lo));
  }
}

}  // namespace enflow::learn

// Every shipped generalized-gradient-dynamics config parses, has only known keys, and
// builds its model (with small widths: this checks the wiring, not the sizes).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>

#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/learn/central_pairs.h"
#include "enflow/learn/ggd_config.h"
#include "enflow/learn/model_io.h"
#include "enflow/models/stepper.h"

namespace enflow::learn {
namespace {

TEST(ShippedConfigs, GgdConfigsAreValid) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ENFLOW_SOURCE_DIR) / "configs" / "ggd";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    SCOPED_TRACE(e.path().string());
    auto c = io::Config::load(e.path().string());
    EXPECT_NO_THROW(c.check_known(experiment_config_keys()));
    EXPECT_EQ(c.get_string("model.type", ""), "ggd");
    const bool grid = c.get_string("model.network", "mlp") == "periodic_conv";
    const bool prescribed = c.get_string("model.entropy", "learned") == "system" ||
                            c.get_string("model.dissipation", "learned") == "system";
    if (prescribed) {
      c.set("model.system", "\"chemical-kinetics\"");
      c.set("model.system_params", "\"\"");
    }
    c.set("model.entropy_hidden", "[4]");
    c.set("model.dissipation_hidden", "[4]");
    c.set("model.channels", "2");
    auto m =
        models::make_model(model_options_from_config(c, prescribed ? 4 : (grid ? 16 : 2), 1.0));
    EXPECT_NE(m, nullptr);
    const auto integ = c.get_string("train.integrator", "euler");
    const auto& names = models::integrator_names();
    EXPECT_NE(std::find(names.begin(), names.end(), integ), names.end()) << integ;
    const auto deriv = c.get_string("train.derivative", "central");
    const auto& dn = derivative_names();
    EXPECT_NE(std::find(dn.begin(), dn.end(), deriv), dn.end()) << deriv;
    ++n;
  }
  EXPECT_GE(n, 6);
}

// The positive-state options refuse data with a state <= 0 (ln x is undefined there).
TEST(GgdConfig, PositiveStateOptionsRejectNonPositiveData) {
  io::Dataset data;
  data.states = torch::rand({2, 5, 3}, torch::kFloat64) + 0.1;
  auto with = [](const std::string& line) {
    return io::Config::parse("[model]\ntype = \"ggd\"\n" + line + "\n");
  };
  for (const std::string line : {"entropy_basis = \"ideal_mixture\"", "x_features = \"log\""}) {
    SCOPED_TRACE(line);
    EXPECT_NO_THROW(check_ggd_data(with(line), data));
    auto bad = data;
    bad.states = data.states.clone();
    bad.states[1][3][2] = 0.0;
    EXPECT_THROW(check_ggd_data(with(line), bad), std::invalid_argument);
  }
  // Without them any sign is fine.
  data.states = data.states - 1.0;
  EXPECT_NO_THROW(check_ggd_data(with(""), data));
}

}  // namespace
}  // namespace enflow::learn

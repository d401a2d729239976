// Every shipped experiment config parses, has only known keys, and builds its model.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "enflow/io/config.h"
#include "enflow/io/key_spec.h"
#include "enflow/learn/model_io.h"
#include "enflow/models/stepper.h"

namespace enflow::learn {
namespace {

// The key table that validates configs, fills `train --help` and `enflow explain`: every key
// once, each with a type and a line of help; a config written from its defaults is valid.
TEST(ShippedConfigs, EveryTrainingKeyIsDescribedOnce) {
  const auto& specs = experiment_key_specs();
  std::set<std::string> seen;
  for (const auto& s : specs) {
    EXPECT_TRUE(seen.insert(s.key).second) << s.key << " twice";
    EXPECT_FALSE(s.type.empty()) << s.key;
    EXPECT_FALSE(s.help.empty()) << s.key;
    EXPECT_TRUE(s.key == "name" || s.key.find('.') != std::string::npos) << s.key;
  }
  EXPECT_EQ(experiment_config_keys().size(), specs.size());
  const auto table = io::format_key_specs(specs);
  EXPECT_NE(table.find("train.structure_lr"), std::string::npos);
  EXPECT_NE(table.find("model.normalize"), std::string::npos);
}

TEST(ShippedConfigs, DgnetConfigsAreValid) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(ENFLOW_SOURCE_DIR) / "configs" / "dgnet";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    SCOPED_TRACE(e.path().string());
    auto c = io::Config::load(e.path().string());
    EXPECT_NO_THROW(c.check_known(experiment_config_keys()));
    const bool pde = c.get_string("model.network", "mlp") == "periodic_conv";
    // Small widths: this checks the wiring, not the paper-sized network.
    c.set("model.hidden", "[8, 8]");
    c.set("model.channels", "4");
    auto m = models::make_model(model_options_from_config(c, pde ? 50 : 2, 0.2));
    EXPECT_NE(m, nullptr);
    const auto integ = c.get_string("train.integrator", "");
    const auto& names = models::integrator_names();
    EXPECT_NE(std::find(names.begin(), names.end(), integ), names.end()) << integ;
    ++n;
  }
  EXPECT_GE(n, 10);
}

}  // namespace
}  // namespace enflow::learn

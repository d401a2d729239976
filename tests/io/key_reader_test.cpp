// io::KeyReader: a config read through its key table takes the table's defaults, refuses keys
// the table does not list (naming them), and treats a read the table does not cover as a
// programming error.
#include "enflow/io/key_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "enflow/run.h"
#include "support/errors.h"

namespace enflow::io {
namespace {

const std::vector<KeySpec> kTable = {
    {"train.iterations", "int", "500", "steps"},
    {"train.lr", "float", "1e-3", "rate"},
    {"train.fast", "bool", "true", "flag"},
    {"train.optimizer", "string", "adam", "rule"},
    {"net.hidden", "[int]", "[32, 32]", "widths"},
    {"net.scales", "[float]", "[0.5, 2.0]", "scales"},
    {"net.init", "[float]", "zeros(dim)", "computed from the dimension"},
    {"data.path", "string", "", "required"},
};

TEST(KeyReader, AbsentKeysTakeTheTablesDefaults) {
  const auto cfg = Config::parse("[data]\npath = 'x.h5'\n[train]\nlr = 0.5\n");
  const KeyReader keys(cfg, kTable);
  EXPECT_EQ(keys.get_int("train.iterations"), 500);
  EXPECT_DOUBLE_EQ(keys.get_double("train.lr"), 0.5);  // the config's value wins
  EXPECT_TRUE(keys.get_bool("train.fast"));
  EXPECT_EQ(keys.get_string("train.optimizer"), "adam");
  EXPECT_EQ(keys.get_ints("net.hidden"), (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(keys.get_doubles("net.scales"), (std::vector<double>{0.5, 2.0}));
  EXPECT_EQ(keys.get_doubles("net.init", {0.0, 0.0, 0.0}), (std::vector<double>(3, 0.0)));
  EXPECT_EQ(keys.get_string("data.path"), "x.h5");
}

TEST(KeyReader, BadConfigsAreConfigErrorsNamingTheKey) {
  const auto typo = testing::error_of<ConfigError>(
      [] { KeyReader(Config::parse("[train]\nlr_final = 1\n", {}, "run.toml"), kTable); });
  EXPECT_NE(typo.find("run.toml"), std::string::npos) << typo;
  EXPECT_NE(typo.find("unknown key 'train.lr_final'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("known in its table: train.iterations, train.lr"), std::string::npos) << typo;
  const auto table =
      testing::error_of<ConfigError>([] { KeyReader(Config::parse("[optim]\nlr = 1\n"), kTable); });
  EXPECT_NE(table.find("known tables: train, net, data"), std::string::npos) << table;
  const KeyReader empty(Config::parse(""), kTable);
  const auto missing = testing::error_of<ConfigError>([&] { empty.get_string("data.path"); });
  EXPECT_NE(missing.find("missing key 'data.path'"), std::string::npos) << missing;
  const KeyReader wrong(Config::parse("[train]\niterations = 'many'\n"), kTable);
  EXPECT_THROW(wrong.get_int("train.iterations"), ConfigError);
}

TEST(KeyReader, ReadsTheTableDoesNotCoverAreLogicErrors) {
  const KeyReader keys(Config::parse(""), kTable);
  EXPECT_THROW(keys.get_int("train.steps"), std::logic_error);          // not in the table
  EXPECT_THROW(keys.get_double("train.iterations"), std::logic_error);  // an int in the table
  EXPECT_THROW(keys.get_doubles("net.init"), std::logic_error);         // computed: needs a value
  EXPECT_THROW(keys.get_int("train.steps", 3), std::logic_error);
}

// Every solver declares its table, and every shipped solver config passes it.
TEST(KeyReader, ShippedSolverConfigsPassTheirSolversTables) {
  const auto& solvers = SolverRegistry::instance();
  for (const auto& [name, entry] : solvers.entries())
    EXPECT_TRUE(entry.keys) << name << " declares no key table";
  int checked = 0;
  for (const char* dir : {"configs/variational", "configs/particles"}) {
    for (const auto& f :
         std::filesystem::directory_iterator(std::filesystem::path(ENFLOW_SOURCE_DIR) / dir)) {
      const auto cfg = Config::load(f.path().string());
      const auto& entry = solvers.at(cfg.require_string("problem.kind"));
      ASSERT_TRUE(entry.keys) << f.path();
      EXPECT_NO_THROW(KeyReader(cfg, entry.keys())) << f.path();
      ++checked;
    }
  }
  EXPECT_GE(checked, 16);
}

}  // namespace
}  // namespace enflow::io

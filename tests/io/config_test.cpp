#include "enflow/io/config.h"

#include <gtest/gtest.h>

namespace enflow::io {
namespace {

TEST(Config, TypedAccessAndOverrides) {
  auto c = Config::parse("[train]\nlr = 1e-3\nsteps = 100\nname = 'kdv'\nhidden = [200, 200]\n",
                         {"train.lr=5e-4", "model.type=dgnet", "train.fast=true"});
  EXPECT_DOUBLE_EQ(c.get_double("train.lr", 0), 5e-4);
  EXPECT_EQ(c.get_int("train.steps", 0), 100);
  EXPECT_DOUBLE_EQ(c.get_double("train.steps", 0), 100.0);  // integers read as numbers
  EXPECT_EQ(c.require_string("model.type"), "dgnet");       // bare word becomes a string
  EXPECT_TRUE(c.get_bool("train.fast", false));
  EXPECT_EQ(c.get_ints("train.hidden", {}), (std::vector<int64_t>{200, 200}));
  EXPECT_EQ(c.get_int("missing.key", 7), 7);
  // Round trip through TOML text.
  auto d = Config::parse(c.to_toml());
  EXPECT_DOUBLE_EQ(d.get_double("train.lr", 0), 5e-4);
}

TEST(Config, ErrorsNameTheKey) {
  auto c = Config::parse("[train]\nlr = 'fast'\n", {}, "x.toml");
  try {
    c.get_double("train.lr", 0);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("train.lr"), std::string::npos);
  }
  EXPECT_THROW(c.require_int("train.steps"), std::runtime_error);
  EXPECT_THROW(c.check_known({"train.steps"}), std::runtime_error);
  EXPECT_NO_THROW(c.check_known({"train.lr"}));
  EXPECT_THROW(Config::parse("[train\nlr = 1"), std::runtime_error);
  EXPECT_THROW(Config::parse("a = 1", {"novalue"}), std::runtime_error);
  EXPECT_THROW(Config::load("/nonexistent/config.toml"), std::runtime_error);
}

}  // namespace
}  // namespace enflow::io

#include "enflow/io/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "enflow/runtime.h"

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

TEST(Config, WithoutDropsATableOrAKeyAndLeavesTheOriginal) {
  auto c = Config::parse(
      "[time]\nsteps = 5\n[reproduce]\nsetting = 'x'\nquick = ['time.steps=2', 'a.b=c']\n"
      "[reproduce.more]\nn = 1\n",
      {}, "x.toml");
  EXPECT_EQ(c.get_strings("reproduce.quick", {}),
            (std::vector<std::string>{"time.steps=2", "a.b=c"}));
  EXPECT_EQ(c.get_strings("missing", {"d"}), (std::vector<std::string>{"d"}));
  EXPECT_THROW(c.get_strings("time.steps", {}), std::runtime_error);
  const auto d = c.without("reproduce");
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"time.steps"}));
  EXPECT_EQ(d.source(), "x.toml");
  EXPECT_NO_THROW(d.check_known({"time.steps"}));
  EXPECT_EQ(c.keys().size(), 4u);  // the original keeps every key
  c.set("time.steps", "7");        // and shares nothing with the copy
  EXPECT_EQ(d.get_int("time.steps", 0), 5);
  auto sorted_keys = [](const Config& x) {
    auto k = x.keys();
    std::sort(k.begin(), k.end());
    return k;
  };
  EXPECT_EQ(sorted_keys(c.without("reproduce.quick")),
            (std::vector<std::string>{"reproduce.more.n", "reproduce.setting", "time.steps"}));
  EXPECT_EQ(c.without("nothing.here").keys().size(), 4u);
  EXPECT_EQ(c.without("time.steps.deeper").keys().size(), 4u);
}

TEST(Config, OldSpellingsLoadUnderTheCurrentNamesWithOneWarning) {
  std::vector<std::string> warnings;
  set_warning_handler([&](const std::string& m) { warnings.push_back(m); });
  for (const auto& [from, to] : deprecated_keys()) {
    // A leaf old name, or a table old name with a key below it; the same through --set.
    const bool table = to.find('.') == std::string::npos;
    const std::string old_key = table ? from + ".width" : from;
    const std::string new_key = table ? to + ".width" : to;
    for (bool by_override : {false, true}) {
      const auto c = by_override ? Config::parse("", {old_key + "=7"}, "t.toml")
                                 : Config::parse(old_key + " = 7\n", {}, "t.toml");
      EXPECT_EQ(c.get_int(new_key, 0), 7) << old_key;
      EXPECT_FALSE(c.has(old_key)) << old_key;
    }
    // Both spellings at once: refused, naming both.
    try {
      Config::parse(old_key + " = 1\n", {new_key + "=2"}, "t.toml");
      ADD_FAILURE() << old_key << " and " << new_key << " were both accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + from + "'"), std::string::npos) << e.what();
    }
  }
  // One warning per spelling and source, naming the old and the new name; none when quiet.
  const size_t n = warnings.size();
  EXPECT_GE(n, 1u);
  EXPECT_NE(warnings.front().find("deprecated"), std::string::npos) << warnings.front();
  Config::parse("net.width = 3\n", {}, "quiet.toml", /*quiet=*/true);
  EXPECT_EQ(warnings.size(), n);
  set_warning_handler(nullptr);
}

}  // namespace
}  // namespace enflow::io

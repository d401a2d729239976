// The run API's own contract: how a RunResult is written (TOML report, JSON line), what a
// Report refuses, and how enflow::solve names a missing or unknown problem kind.
#include "enflow/run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "enflow/io/config.h"
#include "support/errors.h"
#include "support/files.h"

namespace enflow {
namespace {

TEST(RunApi, ReportWritesEveryKindOfValueAndJsonReadsTheSame) {
  const auto dir = testing::fresh_dir("run-api");
  const auto cfg = io::Config::parse("[output]\nplot = false\n", {}, "t.toml");
  Report report(cfg, dir.string(), "demo");
  report.number("loss", 0.125);
  report.number("missing", std::nan(""));
  report.count("steps", 7);
  report.flag("converged", true);
  report.text("kind", "a \"quoted\" name");
  report.numbers("history", {1.0, 0.5});
  EXPECT_THROW(report.number("not bare", 1.0), std::logic_error);  // would break the TOML
  EXPECT_EQ(report.plot_path("loss"), "");                         // output.plot = false
  const auto r = report.finish();
  ASSERT_EQ(r.files.size(), 2u);
  const auto back = io::Config::load(r.files[0]);  // the report reads back as TOML
  EXPECT_EQ(back.require_double("loss"), 0.125);
  EXPECT_EQ(back.require_int("steps"), 7);
  EXPECT_TRUE(back.get_bool("converged", false));
  EXPECT_EQ(back.get_doubles("history", {}), (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(testing::file_bytes(r.files[1]), cfg.to_toml());
  EXPECT_EQ(to_json(r),
            "{\"loss\": 0.125, \"missing\": null, \"steps\": 7, \"converged\": true, "
            "\"kind\": \"a \\\"quoted\\\" name\", \"history\": [1.0, 0.5]}");
  EXPECT_EQ(r.number("steps"), 7.0);
  EXPECT_EQ(r.text("kind"), "a \"quoted\" name");
  EXPECT_THROW(r.number("kind"), std::out_of_range);
  EXPECT_THROW(r.text("nowhere"), std::out_of_range);
  std::filesystem::remove_all(dir);
}

TEST(RunApi, SolveNamesAMissingOrUnknownKindAndListsTheKnownOnes) {
  const auto missing =
      testing::error_of([] { solve(io::Config::parse("[problem]\ndim = 2\n", {}, "m.toml")); });
  EXPECT_NE(missing.find("m.toml: missing problem.kind (known: "), std::string::npos) << missing;
  EXPECT_NE(missing.find("deep_ritz"), std::string::npos) << missing;
  const auto unknown = testing::error_of(
      [] { solve(io::Config::parse("problem.kind = \"evnn_haet\"\n", {}, "u.toml")); });
  EXPECT_NE(unknown.find("u.toml: unknown problem.kind 'evnn_haet' (known: "), std::string::npos)
      << unknown;
  EXPECT_NE(unknown.find("evnn_heat"), std::string::npos) << unknown;
}

}  // namespace
}  // namespace enflow

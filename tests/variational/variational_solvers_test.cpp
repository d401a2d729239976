// The committor and VMC solvers through the one run API (enflow::solve): the metrics in the
// order `enflow reproduce variational` and docs/variational.md expect, the report files,
// progress and status lines through the context, and bad configs refused with a message.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/run.h"
#include "support/errors.h"
#include "support/files.h"

namespace enflow {
namespace {

namespace fs = std::filesystem;

TEST(VariationalSolvers, CommittorReportsItsMetricsInOrderAndWritesTheReport) {
  const auto dir = testing::fresh_dir("committor-solver");
  const auto cfg = io::Config::parse(
      "[problem]\nkind = \"committor\"\nsystem = \"double_well\"\nbeta = 3.0\n"
      "[train]\niterations = 20\nbatch_size = 200\n[output]\nplot = false\n");
  std::vector<std::string> said;
  int64_t last = 0;
  std::string what, metric_name;
  const auto r = solve(cfg, RunContext()
                                .out_dir(dir.string())
                                .log([&](const std::string& line) { said.push_back(line); })
                                .progress([&](const Progress& p) {
                                  last = p.iteration;
                                  what = p.what;
                                  metric_name = p.metric_name;
                                }));
  EXPECT_EQ(r.name, "double_well");
  EXPECT_EQ(r.metric_names(),
            (std::vector<std::string>{"problem", "dim", "beta", "iterations", "batch_size", "seed",
                                      "seconds", "dirichlet_energy", "boundary_rms", "rms_error",
                                      "max_error"}));
  EXPECT_EQ(r.text("problem"), "double_well");
  EXPECT_EQ(r.number("iterations"), 20);
  EXPECT_TRUE(std::isfinite(r.number("rms_error")));
  ASSERT_EQ(r.files.size(), 2u);  // no plots
  EXPECT_EQ(r.files[0], (dir / "double_well.metrics.toml").string());
  EXPECT_EQ(r.files[1], (dir / "double_well.config.toml").string());
  const auto m = io::Config::load(r.files[0]);
  EXPECT_EQ(m.get_string("problem", ""), "double_well");
  EXPECT_NEAR(m.require_double("dirichlet_energy"), r.number("dirichlet_energy"),
              1e-9 * r.number("dirichlet_energy"));  // written with 10 digits
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0], "committor double_well (dim 1, beta 3): 20 iterations, batch 200");
  EXPECT_EQ(last, 20);
  EXPECT_EQ(what, "iter");
  EXPECT_EQ(metric_name, "penalty");
  fs::remove_all(dir);
}

TEST(VariationalSolvers, VmcReportsItsMetricsInOrder) {
  const auto dir = testing::fresh_dir("vmc-solver");
  const auto cfg = io::Config::parse(
      "[problem]\nkind = \"vmc_ising\"\nsites = 6\n[sampler]\nsamples = 50\n"
      "final_samples = 100\n[train]\niterations = 3\n[run]\nseed = 2\n[output]\nplot = false\n"
      "name = \"tiny\"\n");
  std::string what;
  const auto r = solve(
      cfg, RunContext().out_dir(dir.string()).progress([&](const Progress& p) { what = p.what; }));
  EXPECT_EQ(r.name, "tiny");
  EXPECT_EQ(r.metric_names(),
            (std::vector<std::string>{"sites", "j", "h", "hidden_density", "iterations", "samples",
                                      "final_samples", "seed", "seconds", "energy", "energy_stderr",
                                      "local_energy_variance", "exact_energy", "rel_error",
                                      "acceptance"}));
  EXPECT_EQ(r.number("sites"), 6);
  EXPECT_EQ(r.number("seed"), 2);
  EXPECT_TRUE(std::isfinite(r.number("energy")));
  EXPECT_NEAR(
      r.number("rel_error"),
      std::abs(r.number("energy") - r.number("exact_energy")) / std::abs(r.number("exact_energy")),
      1e-12);
  EXPECT_EQ(what, "step");
  EXPECT_TRUE(fs::exists(dir / "tiny.metrics.toml"));
  fs::remove_all(dir);
}

TEST(VariationalSolvers, BadConfigsAreRefusedWithAMessage) {
  const auto dir = testing::fresh_dir("variational-bad");
  const auto ctx = RunContext().out_dir(dir.string());
  const auto unknown_key = io::Config::parse(
      "[problem]\nkind = \"committor\"\nsystem = \"double_well\"\n[train]\niteratons = 3\n");
  EXPECT_NE(
      testing::error_of([&] { solve(unknown_key, ctx); }).find("unknown key 'train.iteratons'"),
      std::string::npos);
  const auto unknown_system =
      io::Config::parse("[problem]\nkind = \"committor\"\nsystem = \"triple_well\"\n");
  EXPECT_NE(testing::error_of([&] {
              solve(unknown_system, ctx);
            }).find("unknown committor problem.system 'triple_well'"),
            std::string::npos);
  const auto vmc_key = io::Config::parse("[problem]\nkind = \"vmc_ising\"\n[rbm]\nalpha = 2\n");
  EXPECT_NE(testing::error_of([&] { solve(vmc_key, ctx); }).find("unknown key 'rbm.alpha'"),
            std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace enflow

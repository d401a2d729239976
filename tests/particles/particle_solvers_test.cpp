// The particle solvers through the run API (enflow::solve): the metrics in the order
// `enflow reproduce particles` and users rely on, the files each run writes, the status lines,
// and that a run is reproducible from its seed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/particles/potential_flow.h"
#include "enflow/particles/svgd_setup.h"
#include "enflow/run.h"
#include "support/errors.h"
#include "support/files.h"
#include "support/threads.h"

namespace enflow::particles {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> paths(const fs::path& dir, const std::string& name,
                               const std::vector<std::string>& suffixes) {
  std::vector<std::string> p;
  for (const auto& s : suffixes) p.push_back((dir / (name + s)).string());
  return p;
}

/// A run whose status lines are collected.
RunResult run(const io::Config& cfg, const fs::path& dir, std::vector<std::string>* said) {
  return solve(cfg, RunContext().out_dir(dir.string()).log([said](const std::string& line) {
    said->push_back(line);
  }));
}

const char* kSvgd = R"(
[problem]
kind = "svgd"
[target]
kind = "banana"
[svgd]
particles = 10
iterations = 5
[eval]
exact_samples = 50
iid_draws = 1
[output]
plot = false
)";

TEST(Svgd, SolverReportsMetricsAndFiles) {
  testing::OneThread one_thread;
  const auto dir = testing::fresh_dir("svgd-solver");
  std::vector<std::string> said;
  const auto r = run(io::Config::parse(kSvgd), dir, &said);
  EXPECT_EQ(r.name, "svgd_banana");
  EXPECT_EQ(r.metric_names(),
            (std::vector<std::string>{"target", "dim", "particles", "iterations", "optimizer",
                                      "step", "seed", "seconds", "final_direction_norm",
                                      "final_bandwidth", "mean_error", "cov_rel_error",
                                      "energy_distance", "energy_distance_iid"}));
  EXPECT_EQ(r.text("target"), "banana");
  EXPECT_EQ(r.number("particles"), 10);
  EXPECT_EQ(r.files,
            paths(dir, "svgd_banana", {".metrics.toml", ".config.toml", "_particles.csv"}));
  for (const auto& f : r.files) EXPECT_TRUE(fs::exists(f)) << f;
  // The metrics file reads back with the same numbers (what `enflow reproduce` does).
  const auto m = io::Config::load(r.files[0]);
  EXPECT_EQ(m.require_string("target"), "banana");
  EXPECT_EQ(m.require_int("dim"), 2);
  EXPECT_NEAR(m.require_double("energy_distance"), r.number("energy_distance"),
              1e-9 * std::abs(r.number("energy_distance")));
  const auto csv = testing::file_bytes(r.files[2]);
  EXPECT_EQ(csv.rfind("# enflow solve svgd: 10 particles, seed 0\nx1,x2\n", 0), 0u) << csv;
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0], "SVGD on banana (d = 2): 10 particles, 5 iterations, adagrad step 0.1");
  // The same seed, the same particles.
  const auto again = run(io::Config::parse(kSvgd, {"output.name='again'"}), dir, &said);
  EXPECT_EQ(testing::file_bytes(again.files[2]), csv);
  EXPECT_EQ(again.number("energy_distance"), r.number("energy_distance"));
}

TEST(Svgd, SetupRejectsBadConfigs) {
  const auto o = torch::TensorOptions().dtype(torch::kDouble);
  EXPECT_EQ(
      testing::error_of([&] { svgd_setup(io::Config::parse(kSvgd, {"svgd.stepsize=1"}), o); }),
      "config '<config>': unknown key 'svgd.stepsize' (known in its table: svgd.particles, "
      "svgd.iterations, svgd.step, svgd.optimizer, svgd.momentum, svgd.bandwidth, svgd.anneal, "
      "svgd.anneal_cycles, svgd.anneal_power)");
  EXPECT_EQ(testing::error_of(
                [&] { svgd_setup(io::Config::parse(kSvgd, {"svgd.optimizer='adam'"}), o); }),
            "unknown svgd.optimizer 'adam' (known: adagrad, plain)");
  EXPECT_EQ(
      testing::error_of([&] { svgd_setup(io::Config::parse(kSvgd, {"target.kind='donut'"}), o); }),
      "<config>: unknown SVGD target.kind 'donut' (known: banana, gaussian, logistic, mixture, "
      "potential_flow)");
  EXPECT_EQ(
      testing::error_of([&] { svgd_setup(io::Config::parse(kSvgd, {"init.mean=[1.0]"}), o); }),
      "<config>: init.mean must have 2 entries, got 1");
  torch::manual_seed(0);
  const auto s = svgd_setup(io::Config::parse(kSvgd, {"target.kind='mixture'", "target.dim=1"}), o);
  EXPECT_EQ(s.dim, 1);
  EXPECT_EQ(s.init.sizes(), (std::vector<int64_t>{10, 1}));
  EXPECT_FALSE(s.options.on_progress());
}

TEST(MeanField, SolverReportsMetricsAndFiles) {
  testing::OneThread one_thread;
  const auto dir = testing::fresh_dir("mean-field-solver");
  std::vector<std::string> said;
  const auto r = run(io::Config::parse(R"(
[problem]
kind = "mean_field"
[data]
n_train = 20
n_test = 20
[student]
particles = 10
[flow]
steps = 3
[output]
plot = false
)"),
                     dir, &said);
  EXPECT_EQ(r.name, "mean_field");
  EXPECT_EQ(r.metric_names(),
            (std::vector<std::string>{"activation", "particles", "teacher_neurons", "steps", "step",
                                      "temperature", "weight_decay", "seed", "seconds",
                                      "train_loss_initial", "train_loss_final", "test_loss_final",
                                      "test_loss_relative", "loss_increases"}));
  EXPECT_EQ(r.number("teacher_neurons"), 3);
  EXPECT_EQ(r.files, paths(dir, "mean_field",
                           {".metrics.toml", ".config.toml", "_loss.csv", "_particles.csv"}));
  for (const auto& f : r.files) EXPECT_TRUE(fs::exists(f)) << f;
  EXPECT_NE(testing::file_bytes(r.files[3]).find("\na,w1,w2\n"), std::string::npos);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].rfind("mean-field two-layer relu network: 10 particles", 0), 0u) << said[0];
}

TEST(PotentialFlow, SolverReportsMetricsAndFiles) {
  testing::OneThread one_thread;
  const auto dir = testing::fresh_dir("potential-flow-solver");
  std::vector<std::string> said;
  const auto r = run(io::Config::parse(R"(
[problem]
kind = "potential_flow"
[data]
density = "checkerboard"
test_size = 50
[flow]
width = 4
steps = 2
[train]
iterations = 2
batch_size = 16
[eval]
steps = [1, 2]
grid = 5
[output]
plot = false
)"),
                     dir, &said);
  EXPECT_EQ(r.name, "potential_flow_checkerboard");
  EXPECT_EQ(r.metric_names(), (std::vector<std::string>{"density",
                                                        "width",
                                                        "depth",
                                                        "time_dependent",
                                                        "horizon",
                                                        "steps",
                                                        "iterations",
                                                        "batch_size",
                                                        "seed",
                                                        "seconds",
                                                        "test_size",
                                                        "test_nll",
                                                        "test_nll_se",
                                                        "floor",
                                                        "floor_se",
                                                        "floor_source",
                                                        "gap",
                                                        "grid_mass_steps_1",
                                                        "roundtrip_error_steps_1",
                                                        "logp_roundtrip_error_steps_1",
                                                        "test_nll_steps_1",
                                                        "grid_mass_steps_2",
                                                        "roundtrip_error_steps_2",
                                                        "logp_roundtrip_error_steps_2",
                                                        "test_nll_steps_2"}));
  EXPECT_EQ(r.text("floor_source"), "closed form");
  EXPECT_NEAR(r.number("floor"), std::log(32.0), 1e-12);
  EXPECT_EQ(r.files, paths(dir, "potential_flow_checkerboard",
                           {".metrics.toml", ".config.toml", ".pt", "_exactness.csv"}));
  for (const auto& f : r.files) EXPECT_TRUE(fs::exists(f)) << f;
  EXPECT_EQ(load_potential_flow(r.files[2]).model->options().width(), 4);
  ASSERT_EQ(said.size(), 1u);
  EXPECT_EQ(said[0].rfind("potential flow on checkerboard: phi tanh 2x4", 0), 0u) << said[0];
}

}  // namespace
}  // namespace enflow::particles

// `enflow reproduce variational`: committors (closed forms, a finite-volume reference, the
// 50-D Ginzburg-Landau chain against direct simulation), Deep Ritz in 10-D and VMC for the
// N = 20 Ising chain. Every case is a shipped config in configs/variational run through
// `enflow solve` exactly as the printed command would (so the protocol and the configs cannot
// drift apart), with a markdown table of reference numbers beside ours in
// <out>/variational/table.md. ENFLOW_VARIATIONAL_ONLY=name,... runs a subset.
#include <fmt/core.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "reproduce_util.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;

/// One line of the table: a metric of a run against a reference.
struct Row {
  std::string quantity, metric, reference;
  bool percent = false;
};

struct Case {
  std::string name;  ///< configs/variational/<name>.toml
  std::string label;
  std::vector<std::string> quick;  ///< overrides for --quick
  std::vector<Row> rows;
};

std::vector<Case> cases() {
  const Row rms_q{"rms error vs exact q(r)", "rms_error", "0 (closed form)"};
  const Row max_q{"max error vs exact q(r)", "max_error", "0 (closed form)"};
  const std::vector<std::string> short_run{"train.iterations=500"};
  return {
      {"committor_double_well",
       "committor, 1-D double well, beta = 3",
       short_run,
       {{"rms error vs quadrature", "rms_error", "0 (closed form)"},
        {"max error vs quadrature", "max_error", "0 (closed form)"}}},
      {"committor_spheres_3d",
       "committor, concentric spheres d = 3 (a = 1, b = 2)",
       short_run,
       {rms_q, max_q}},
      {"committor_spheres_10d",
       "committor, concentric spheres d = 10 (a = 1, b = 1.5)",
       short_run,
       {rms_q, max_q}},
      {"committor_muller_brown",
       "committor, Mueller-Brown 2-D, beta = 0.1",
       {"train.iterations=500", "reference.grid=121"},
       {{"Dirichlet energy / finite-volume minimum", "energy_over_minimum", "1 (variational)"},
        {"Gibbs-weighted rms error vs finite volumes", "rms_error_gibbs", "0 (grid reference)"},
        {"rms error on the samples vs finite volumes", "rms_error_sampled", "0 (grid reference)"}}},
      {"committor_muller_brown_10d",
       "committor, Mueller-Brown in 10-D (confine 20), beta = 0.1",
       {"train.iterations=500", "reference.grid=121", "check.shooting_points=0"},
       {{"Dirichlet energy / 2-D finite-volume minimum", "energy_over_minimum", "1 (variational)"},
        {"Gibbs-weighted rms error vs 2-D finite volumes", "rms_error_gibbs", "0 (grid reference)"},
        {"rms error on the samples vs 2-D finite volumes", "rms_error_sampled",
         "0 (grid reference)"},
        {"rms q - direct simulation, transition points", "shooting_rms_diff",
         "statistical error (see shooting_mean_stderr)"}}},
      {"committor_ginzburg_landau",
       "committor, Ginzburg-Landau 50-D, lambda = 0.03, beta = 10",
       {"train.iterations=300", "sampler.burn_in=500", "check.trajectories=20",
        "check.max_steps=20000"},
       {{"rms q - direct simulation on the minimum-energy path", "shooting_rms_diff",
         "statistical error (see shooting_mean_stderr)"},
        {"q at the transition state (kink)", "path_q_at_0", "0.5 (symmetry)"},
        {"rms of q(u) + q(-u) - 1 on samples", "symmetry_rms_negation", "0 (symmetry)"}}},
      {"deep_ritz_10d",
       "Deep Ritz, -Laplace u = 0 on (0,1)^10, u = sum x_{2k-1} x_{2k}",
       {"train.iterations=1000", "train.eval_points=20000"},
       {{"relative L2 error", "rel_l2_error", "0.4% (E & Yu 2018)", true}}},
      {"vmc_tfim_20",
       "VMC, TFIM chain N = 20, h = J = 1, RBM alpha = 2",
       {"train.iterations=100", "sampler.samples=500", "sampler.final_samples=5000"},
       {{"relative energy error (E_0 = -25.49098969)", "rel_error", "< 1e-4 (goal)"}}},
  };
}

std::string fmt_value(double v, bool percent) {
  return percent ? fmt::format("{:.3f}%", 100 * v) : fmt::format("{:.3e}", v);
}

/// What the first trial ran: iterations, time and the run-specific sizes.
std::string details_of(const io::Config& m) {
  std::string d = fmt::format("{} iterations, {:.0f} s", m.get_int("iterations", 0),
                              m.get_double("seconds", 0));
  if (m.has("batch_size")) d += fmt::format(", batch {}", m.get_int("batch_size", 0));
  if (m.has("samples")) d += fmt::format(", {} samples/step", m.get_int("samples", 0));
  if (m.has("energy"))
    d += fmt::format(", E = {:.6f} +- {:.6f}", m.require_double("energy"),
                     m.require_double("energy_stderr"));
  if (m.has("shooting_mean_stderr"))
    d += fmt::format(", shooting s.e. {:.3f}", m.require_double("shooting_mean_stderr"));
  return d;
}

int reproduce(const ReproduceOptions& ro, const Common& common) {
  const auto all = cases();
  std::vector<std::string> names;
  for (const auto& c : all) names.push_back(c.name);
  const CaseFilter only("ENFLOW_VARIATIONAL_ONLY", names);
  const fs::path cfg_dir = config_dir("variational", "reproduce variational");
  const std::string root = (fs::path(ro.out_dir) / "variational").string();
  fs::create_directories(root);
  std::string table =
      "| problem | quantity | reference | ours (mean over trials) | run |\n"
      "|---|---|---|---|---|\n";
  std::string json = "[";
  std::vector<std::string> commands;
  for (const auto& c : all) {
    if (!only.keeps(c.name)) continue;
    std::vector<double> sums(c.rows.size(), 0.0);
    std::string details;
    for (int t = 0; t < ro.trials; ++t) {
      const std::string run_name = c.name + (ro.trials > 1 ? "_t" + std::to_string(t) : "");
      std::vector<std::string> args{"--config", (cfg_dir / (c.name + ".toml")).string(), "--out",
                                    root};
      std::vector<std::string> sets{"run.seed=" + std::to_string(ro.seed + uint64_t(t)),
                                    "output.name='" + run_name + "'"};
      if (ro.quick) sets.insert(sets.end(), c.quick.begin(), c.quick.end());
      for (const auto& s : sets) args.insert(args.end(), {"--set", s});
      const std::string cmd = command_line("solve", args);
      commands.push_back(cmd);
      if (!common.json) fmt::print(stderr, "[{}] trial {}/{}: {}\n", c.name, t + 1, ro.trials, cmd);
      if (run_command("solve", args) != 0)
        throw std::runtime_error(c.name + ": enflow solve failed");
      const auto m = io::Config::load((fs::path(root) / (run_name + ".metrics.toml")).string());
      for (size_t k = 0; k < c.rows.size(); ++k) sums[k] += m.require_double(c.rows[k].metric);
      if (t == 0) details = details_of(m);
    }
    for (size_t k = 0; k < c.rows.size(); ++k) {
      const auto& row = c.rows[k];
      const double mean = sums[k] / ro.trials;
      table += fmt::format("| {} | {} | {} | {} | {} |\n", k == 0 ? c.label : "", row.quantity,
                           row.reference, fmt_value(mean, row.percent), k == 0 ? details : "");
      json += fmt::format("{}{{\"name\": \"{}\", \"{}\": {:.10g}}}", json.size() > 1 ? ", " : "",
                          c.name, row.metric, mean);
    }
  }
  json += "]\n";
  const std::string header = fmt::format(
      "# enflow reproduce variational{} --seed {} --trials {}\n\nOne CPU process; seconds "
      "are wall time.\n\n",
      ro.quick ? " --quick" : "", ro.seed, ro.trials);
  write_report(root, header, table, commands, json, common.json,
               "<name>.metrics.toml, the config each ran and its plots");
  return 0;
}

const ReproductionRegistrar reg("variational",
                                "Committors, Deep Ritz (10-D) and VMC (Ising N = 20) against "
                                "closed forms, references and published numbers",
                                reproduce);

}  // namespace
}  // namespace enflow::cli

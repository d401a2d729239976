// `enflow reproduce variational`: committors (closed forms, a finite-volume reference, the
// 50-D Ginzburg-Landau chain against direct simulation), Deep Ritz in 10-D and VMC for the
// N = 20 Ising chain, run through the `enflow solve` kinds, with a markdown table of
// reference numbers beside ours. Each run writes <out>/<name>.metrics.toml and its config;
// single runs of the protocol can be repeated with `enflow solve` on that config.
#include <fmt/core.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "reproduce_util.h"
#include "solve_registry.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;

/// One line of the table: a metric of a run against a reference.
struct Row {
  std::string quantity, metric, reference;
  bool percent = false;
};

struct Run {
  std::string name, label, toml;
  std::vector<std::string> quick;  ///< overrides for --quick
  std::vector<Row> rows;
};

std::vector<Run> runs() {
  const std::string mb_sampler =
      "sampler.sample_beta=0.05\nsampler.step=1e-4\nsampler.burn_in=2000\nsampler.thin=5\n";
  return {
      {"double_well",
       "committor, 1-D double well, beta = 3",
       "problem.kind='committor'\nproblem.system='double_well'\nproblem.beta=3.0\n"
       "network.hidden=[16,16]\ntrain.iterations=3000\ntrain.batch_size=1000\ntrain.lr=1e-2\n"
       "train.lr_final=2e-4\n",
       {"train.iterations=500"},
       {{"rms error vs quadrature", "rms_error", "0 (closed form)"},
        {"max error vs quadrature", "max_error", "0 (closed form)"}}},
      {"spheres_3d",
       "committor, concentric spheres d = 3 (a = 1, b = 2)",
       "problem.kind='committor'\nproblem.system='spheres'\nproblem.dim=3\nproblem.a=1.0\n"
       "problem.b=2.0\nnetwork.hidden=[32,32]\ntrain.iterations=3000\ntrain.batch_size=1000\n"
       "train.lr=1e-2\ntrain.lr_final=2e-4\n",
       {"train.iterations=500"},
       {{"rms error vs exact q(r)", "rms_error", "0 (closed form)"},
        {"max error vs exact q(r)", "max_error", "0 (closed form)"}}},
      {"spheres_10d",
       "committor, concentric spheres d = 10 (a = 1, b = 1.5)",
       "problem.kind='committor'\nproblem.system='spheres'\nproblem.dim=10\nproblem.a=1.0\n"
       "problem.b=1.5\nnetwork.hidden=[32,32]\ntrain.iterations=3000\ntrain.batch_size=1000\n"
       "train.lr=1e-2\ntrain.lr_final=2e-4\n",
       {"train.iterations=500"},
       {{"rms error vs exact q(r)", "rms_error", "0 (closed form)"},
        {"max error vs exact q(r)", "max_error", "0 (closed form)"}}},
      {"muller_brown",
       "committor, Mueller-Brown 2-D, beta = 0.1",
       "problem.kind='committor'\nproblem.system='muller_brown'\nproblem.dim=2\n"
       "problem.beta=0.1\n" +
           mb_sampler +
           "network.hidden=[32,32]\ntrain.iterations=4000\ntrain.batch_size=1000\n"
           "train.lr=5e-3\ntrain.lr_final=1e-4\nreference.grid=241\n",
       {"train.iterations=500", "reference.grid=121"},
       {{"Gibbs-weighted rms error vs finite volumes", "rms_error_gibbs", "0 (grid reference)"},
        {"rms error on the samples vs finite volumes", "rms_error_sampled", "0 (grid reference)"}}},
      {"muller_brown_10d",
       "committor, Mueller-Brown in 10-D (confine 20), beta = 0.1",
       "problem.kind='committor'\nproblem.system='muller_brown'\nproblem.dim=10\n"
       "problem.beta=0.1\nproblem.confine=20.0\n" +
           mb_sampler +
           "network.hidden=[64,64]\ntrain.iterations=4000\ntrain.batch_size=1000\n"
           "train.lr=5e-3\ntrain.lr_final=1e-4\nreference.grid=241\n"
           "check.shooting_points=20\ncheck.trajectories=200\ncheck.dt=1e-5\n",
       {"train.iterations=500", "reference.grid=121", "check.shooting_points=0"},
       {{"Gibbs-weighted rms error vs 2-D finite volumes", "rms_error_gibbs", "0 (grid reference)"},
        {"rms error on the samples vs 2-D finite volumes", "rms_error_sampled",
         "0 (grid reference)"},
        {"rms q - direct simulation, 20 transition points", "shooting_rms_diff",
         "statistical error (see shooting_mean_stderr)"}}},
      {"ginzburg_landau",
       "committor, Ginzburg-Landau 50-D, lambda = 0.03, beta = 10",
       "problem.kind='committor'\nproblem.system='ginzburg_landau'\nproblem.dim=50\n"
       "problem.lambda=0.03\nproblem.beta=10.0\nsampler.sample_beta=8.0\nsampler.step=1e-4\n"
       "sampler.burn_in=2000\nsampler.thin=5\nnetwork.hidden=[64,64]\ntrain.iterations=3000\n"
       "train.batch_size=1000\ntrain.lr=2e-3\ntrain.lr_final=1e-4\n"
       "check.shooting_points=9\ncheck.trajectories=200\ncheck.dt=1e-3\n",
       {"train.iterations=300", "sampler.burn_in=500", "check.trajectories=20"},
       {{"rms q - direct simulation on the minimum-energy path", "shooting_rms_diff",
         "statistical error (see shooting_mean_stderr)"},
        {"q at the transition state (kink)", "path_q_at_0", "0.5 (symmetry)"},
        {"rms of q(u) + q(-u) - 1 on samples", "symmetry_rms_negation", "0 (symmetry)"}}},
      {"deep_ritz_10d",
       "Deep Ritz, -Laplace u = 0 on (0,1)^10, u = sum x_{2k-1} x_{2k}",
       "problem.kind='deep_ritz'\nproblem.dim=10\nnetwork.width=20\nnetwork.blocks=3\n"
       "network.activation='relu3'\ntrain.iterations=10000\ntrain.batch_interior=1000\n"
       "train.batch_boundary=1000\ntrain.lr=1e-3\ntrain.lr_final=1e-5\ntrain.penalty=500.0\n",
       {"train.iterations=1000", "train.eval_points=20000"},
       {{"relative L2 error", "rel_l2_error", "0.4% (E & Yu 2018)", true}}},
      {"vmc_tfim_20",
       "VMC, TFIM chain N = 20, h = J = 1, RBM alpha = 2",
       "problem.kind='vmc_ising'\nproblem.sites=20\nproblem.j=1.0\nproblem.h=1.0\n"
       "rbm.hidden_density=2\nsampler.samples=1000\nsampler.final_samples=50000\n"
       "train.iterations=600\ntrain.lr=0.05\ntrain.lr_final=0.01\n",
       {"train.iterations=100", "sampler.samples=500", "sampler.final_samples=5000"},
       {{"relative energy error (E_0 = -25.49098969)", "rel_error", "< 1e-4 (goal)"}}},
  };
}

const SolverSpec& solver(const std::string& kind) {
  for (const auto& s : solver_registry())
    if (s.kind == kind) return s;
  throw std::runtime_error("solver kind '" + kind + "' is not registered");
}

std::string fmt_value(double v, bool percent) {
  return percent ? fmt::format("{:.3f}%", 100 * v) : fmt::format("{:.3e}", v);
}

/// Runs one trial and returns its metrics.
io::Config run_trial(const io::Config& cfg, const ReproduceOptions& ro, const Common& common) {
  const std::string name = cfg.require_string("output.name");
  const int rc = solver(cfg.require_string("problem.kind")).run(cfg, common, ro.out_dir);
  if (rc != 0) throw std::runtime_error(name + ": solver exited with status " + std::to_string(rc));
  return io::Config::load((fs::path(ro.out_dir) / (name + ".metrics.toml")).string());
}

int reproduce(const ReproduceOptions& ro, const Common& common) {
  const auto all = runs();
  fs::create_directories(ro.out_dir);
  std::string table =
      "| problem | quantity | reference | ours (mean over trials) | run |\n"
      "|---|---|---|---|---|\n";
  std::string json = "[";
  for (const auto& r : all) {
    std::vector<double> sums(r.rows.size(), 0.0);
    std::string details;
    for (int t = 0; t < ro.trials; ++t) {
      std::vector<std::string> ov = ro.quick ? r.quick : std::vector<std::string>{};
      ov.push_back("train.seed=" + std::to_string(ro.seed + uint64_t(t)));
      ov.push_back("output.name='" + r.name + (ro.trials > 1 ? "_t" + std::to_string(t) : "") +
                   "'");
      const auto cfg = io::Config::parse(r.toml, ov, "reproduce variational/" + r.name);
      if (!common.json) fmt::print(stderr, "[{}] trial {}/{}\n", r.name, t + 1, ro.trials);
      const auto m = run_trial(cfg, ro, common);
      for (size_t k = 0; k < r.rows.size(); ++k) sums[k] += m.require_double(r.rows[k].metric);
      if (t > 0) continue;
      details = fmt::format("{} iterations, {:.0f} s", m.get_int("iterations", 0),
                            m.get_double("seconds", 0));
      if (m.has("batch_size")) details += fmt::format(", batch {}", m.get_int("batch_size", 0));
      if (m.has("samples")) details += fmt::format(", {} samples/step", m.get_int("samples", 0));
      if (m.has("energy"))
        details += fmt::format(", E = {:.6f} +- {:.6f}", m.require_double("energy"),
                               m.require_double("energy_stderr"));
      if (m.has("shooting_mean_stderr"))
        details += fmt::format(", shooting s.e. {:.3f}", m.require_double("shooting_mean_stderr"));
    }
    for (size_t k = 0; k < r.rows.size(); ++k) {
      const auto& row = r.rows[k];
      const double mean = sums[k] / ro.trials;
      table += fmt::format("| {} | {} | {} | {} | {} |\n", k == 0 ? r.label : "", row.quantity,
                           row.reference, fmt_value(mean, row.percent), k == 0 ? details : "");
      json += fmt::format("{}{{\"name\": \"{}\", \"{}\": {:.10g}}}", json.size() > 1 ? ", " : "",
                          r.name, row.metric, mean);
    }
  }
  json += "]";
  const std::string header = fmt::format(
      "# enflow reproduce variational{} --seed {} --trials {}\n\nOne CPU process; seconds "
      "are wall time.\n\n",
      ro.quick ? " --quick" : "", ro.seed, ro.trials);
  const std::string path = (fs::path(ro.out_dir) / "variational.md").string();
  write_text(path, header + table);
  if (common.json) {
    fmt::print("{}\n", json);
  } else {
    fmt::print("\n{}\ntable: {}\n", table, path);
  }
  return 0;
}

const ReproductionRegistrar reg("variational",
                                "Committors, Deep Ritz (10-D) and VMC (Ising N = 20) against "
                                "closed forms, references and published numbers",
                                reproduce);

}  // namespace
}  // namespace enflow::cli

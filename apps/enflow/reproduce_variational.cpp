// `enflow reproduce variational`: committors (closed forms, a finite-volume reference and the
// 50-D Ginzburg-Landau chain), Deep Ritz in 10-D and VMC for the N = 20 Ising chain, run
// through the `enflow solve` kinds, with a markdown table of reference numbers beside ours.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "solve_registry.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;

struct Run {
  std::string name, toml;
  std::vector<std::string> quick;  ///< overrides for --quick
  std::string label, quantity, metric, reference;
  bool percent = false;
};

std::vector<Run> runs() {
  return {
      {"double_well",
       "problem.kind='committor'\nproblem.system='double_well'\nproblem.beta=3.0\n"
       "network.hidden=[16,16]\ntrain.iterations=3000\ntrain.batch_size=1000\ntrain.lr=1e-2\n"
       "train.lr_final=2e-4\n",
       {"train.iterations=500"},
       "committor, 1-D double well, beta = 3",
       "rms error vs quadrature",
       "rms_error",
       "0 (closed form)"},
      {"spheres_3d",
       "problem.kind='committor'\nproblem.system='spheres'\nproblem.dim=3\nproblem.a=1.0\n"
       "problem.b=2.0\nnetwork.hidden=[32,32]\ntrain.iterations=3000\ntrain.batch_size=1000\n"
       "train.lr=1e-2\ntrain.lr_final=2e-4\n",
       {"train.iterations=500"},
       "committor, concentric spheres d = 3 (a = 1, b = 2)",
       "rms error vs exact q(r)",
       "rms_error",
       "0 (closed form)"},
      {"spheres_10d",
       "problem.kind='committor'\nproblem.system='spheres'\nproblem.dim=10\nproblem.a=1.0\n"
       "problem.b=1.5\nnetwork.hidden=[32,32]\ntrain.iterations=3000\ntrain.batch_size=1000\n"
       "train.lr=1e-2\ntrain.lr_final=2e-4\n",
       {"train.iterations=500"},
       "committor, concentric spheres d = 10 (a = 1, b = 1.5)",
       "rms error vs exact q(r)",
       "rms_error",
       "0 (closed form)"},
      {"muller_brown",
       "problem.kind='committor'\nproblem.system='muller_brown'\nproblem.dim=2\n"
       "problem.beta=0.1\nsampler.sample_beta=0.05\nsampler.step=1e-4\nsampler.burn_in=2000\n"
       "sampler.thin=5\nnetwork.hidden=[32,32]\ntrain.iterations=4000\ntrain.batch_size=1000\n"
       "train.lr=5e-3\ntrain.lr_final=1e-4\nreference.grid=241\n",
       {"train.iterations=500", "reference.grid=121"},
       "committor, Mueller-Brown 2-D, beta = 0.1",
       "Gibbs-weighted rms error vs finite volumes",
       "rms_error_gibbs",
       "finite-volume grid"},
      {"muller_brown_10d",
       "problem.kind='committor'\nproblem.system='muller_brown'\nproblem.dim=10\n"
       "problem.beta=0.1\nproblem.confine=20.0\nsampler.sample_beta=0.05\nsampler.step=1e-4\n"
       "sampler.burn_in=2000\nsampler.thin=5\nnetwork.hidden=[64,64]\ntrain.iterations=4000\n"
       "train.batch_size=1000\ntrain.lr=5e-3\ntrain.lr_final=1e-4\nreference.grid=241\n",
       {"train.iterations=500", "reference.grid=121"},
       "committor, Mueller-Brown in 10-D (confine 20), beta = 0.1",
       "Gibbs-weighted rms error vs 2-D finite volumes",
       "rms_error_gibbs",
       "finite-volume grid"},
      {"ginzburg_landau",
       "problem.kind='committor'\nproblem.system='ginzburg_landau'\nproblem.dim=50\n"
       "problem.lambda=0.03\nproblem.beta=10.0\nsampler.sample_beta=8.0\nsampler.step=1e-4\n"
       "sampler.burn_in=2000\nsampler.thin=5\nnetwork.hidden=[64,64]\ntrain.iterations=3000\n"
       "train.batch_size=1000\ntrain.lr=2e-3\ntrain.lr_final=1e-4\n",
       {"train.iterations=300", "sampler.burn_in=500"},
       "committor, Ginzburg-Landau 50-D, lambda = 0.03, beta = 10",
       "Dirichlet energy estimate",
       "dirichlet_energy",
       "none (no closed form)"},
      {"deep_ritz_10d",
       "problem.kind='deep_ritz'\nproblem.dim=10\nnetwork.width=20\nnetwork.blocks=3\n"
       "network.activation='relu3'\ntrain.iterations=10000\ntrain.batch_interior=1000\n"
       "train.batch_boundary=1000\ntrain.lr=1e-3\ntrain.lr_final=1e-5\ntrain.penalty=500.0\n",
       {"train.iterations=1000", "train.eval_points=20000"},
       "Deep Ritz, -Laplace u = 0 on (0,1)^10, u = sum x_{2k-1} x_{2k}",
       "relative L2 error",
       "rel_l2_error",
       "0.4% (E & Yu 2018)",
       true},
      {"vmc_tfim_20",
       "problem.kind='vmc_ising'\nproblem.sites=20\nproblem.j=1.0\nproblem.h=1.0\n"
       "rbm.hidden_density=2\nsampler.samples=1000\nsampler.final_samples=50000\n"
       "train.iterations=600\ntrain.lr=0.05\ntrain.lr_final=0.01\n",
       {"train.iterations=100", "sampler.samples=500", "sampler.final_samples=5000"},
       "VMC, TFIM chain N = 20, h = J = 1, RBM alpha = 2",
       "relative energy error (E_0 = -25.49098969)",
       "rel_error",
       "< 1e-4 (goal)"},
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

int reproduce(const ReproduceOptions& ro, const Common& common) {
  fs::create_directories(ro.out_dir);
  std::string table =
      "| problem | quantity | reference | ours (mean over trials) | run |\n"
      "|---|---|---|---|---|\n";
  std::string json = "[";
  for (const auto& r : runs()) {
    double sum = 0;
    std::string details;
    for (int t = 0; t < ro.trials; ++t) {
      std::vector<std::string> ov = ro.quick ? r.quick : std::vector<std::string>{};
      ov.push_back("train.seed=" + std::to_string(ro.seed + uint64_t(t)));
      ov.push_back("output.name='" + r.name + (ro.trials > 1 ? "_t" + std::to_string(t) : "") +
                   "'");
      const auto cfg = io::Config::parse(r.toml, ov, "reproduce variational/" + r.name);
      if (!common.json) fmt::print(stderr, "[{}] trial {}/{}\n", r.name, t + 1, ro.trials);
      const int rc = solver(cfg.require_string("problem.kind")).run(cfg, common, ro.out_dir);
      if (rc != 0) return rc;
      const std::string name = cfg.require_string("output.name");
      const auto m = io::Config::load((fs::path(ro.out_dir) / (name + ".metrics.toml")).string());
      sum += m.require_double(r.metric);
      if (t == 0) {
        details = fmt::format("{} iterations, {:.0f} s", m.get_int("iterations", 0),
                              m.get_double("seconds", 0));
        if (m.has("batch_size")) details += fmt::format(", batch {}", m.get_int("batch_size", 0));
        if (m.has("samples")) details += fmt::format(", {} samples/step", m.get_int("samples", 0));
        if (r.name == "vmc_tfim_20")
          details += fmt::format(", E = {:.6f} +- {:.6f}", m.require_double("energy"),
                                 m.require_double("energy_stderr"));
      }
    }
    const double mean = sum / ro.trials;
    table += fmt::format("| {} | {} | {} | {} | {} |\n", r.label, r.quantity, r.reference,
                         fmt_value(mean, r.percent), details);
    json += fmt::format("{}{{\"name\": \"{}\", \"{}\": {:.10g}}}", json.size() > 1 ? ", " : "",
                        r.name, r.metric, mean);
  }
  json += "]";
  const std::string header = fmt::format(
      "# enflow reproduce variational{}\n\nseed {}, {} trial(s); one 2-core CPU run.\n\n",
      ro.quick ? " --quick" : "", ro.seed, ro.trials);
  const std::string path = (fs::path(ro.out_dir) / "variational.md").string();
  io::write_atomically(path,
                       [&](const std::string& tmp) { std::ofstream(tmp) << header << table; });
  if (common.json) {
    fmt::print("{}\n", json);
  } else {
    fmt::print("\n{}\ntable: {}\n", table, path);
  }
  return 0;
}

const ReproductionRegistrar reg("variational",
                                "Committors, Deep Ritz (10-D) and VMC (Ising N = 20) against "
                                "closed forms and published numbers",
                                reproduce);

}  // namespace
}  // namespace enflow::cli

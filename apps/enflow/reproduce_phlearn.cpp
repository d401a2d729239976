// `enflow reproduce phlearn-pde`: the 1-D PDE cases of Eidnes & Lye, "Pseudo-Hamiltonian
// neural networks for learning partial differential equations" (J. Comput. Phys. 2024; code
// github.com/SINTEF/pseudo-hamiltonian-neural-networks, PyPI phlearn) that enflow's systems
// support — KdV–Burgers and BBM with viscosity and an external force — on their protocol:
// 200 pairs at Δt = 0.02 (80% train), test trajectories predicted over [0, 1] (KdV–Burgers)
// and [0, 10] (BBM). Rows: DGNet with learned S − R stencils and phlearn's learned force
// f(x, t), DGNet with the system's given force, and enflow's NODE as the black-box baseline.
// Every row runs `enflow generate` / `train` on the shipped configs (configs/dgnet/phlearn-*)
// in-process, so each can be re-run by hand from table.md. Their stored results are beside
// ours where they exist (docs/dgnet.md, "phlearn PDEs").
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/learn/prediction_output.h"
#include "enflow/runtime.h"
#include "reproduce_util.h"

namespace enflow::cli {
namespace {

namespace fs = std::filesystem;

// ---- Protocol data -------------------------------------------------------------------------

struct PhlearnCase {
  std::string system;
  double horizon;       ///< phlearn's prediction span (its evaluation's t_max)
  int64_t test_series;  ///< its test trajectories
};

struct PhlearnRow {
  std::string system;
  std::string config;  ///< configs/dgnet/<config>.toml
  std::string label;
  /// phlearn's stored result for the matching model type: the median over its trained
  /// models of the MSE over [0, horizon] (paper_results/trained_models_*/testresults_*.csv);
  /// NaN where none is published.
  double phlearn_mse = NAN;
  std::string phlearn_model;
};

constexpr double kPhlearnDt = 0.02;  // their data's step (protocol "phlearn")

std::vector<PhlearnCase> phlearn_cases() { return {{"kdv-burgers", 1.0, 10}, {"bbm", 10.0, 10}}; }

// KdV numbers: trained_models_kdv/testresults_dt1e-02_n10_t1.csv, four models per type,
// labelled by plot_results_kdv.ipynb; the paper shows them as box plots only.
std::vector<PhlearnRow> phlearn_rows() {
  return {
      {"kdv-burgers", "phlearn-kdv-burgers-dgnet-xt", "DGNet, learned S−R, learned f(x,t)", 3.57,
       "PHNN (general)"},
      {"kdv-burgers", "phlearn-kdv-burgers-dgnet-given", "DGNet, learned S−R, given f", NAN, ""},
      {"kdv-burgers", "phlearn-kdv-burgers-node", "NODE (black box)", 7.21, "baseline (1NN)"},
      {"bbm", "phlearn-bbm-dgnet-xt", "DGNet, learned S−R, learned f(x,t)", NAN, ""},
      {"bbm", "phlearn-bbm-dgnet-given", "DGNet, learned S−R, given f", NAN, ""},
      {"bbm", "phlearn-bbm-node", "NODE (black box)", NAN, ""},
  };
}

// ---- Running -------------------------------------------------------------------------------

struct PhlearnMeasured {
  TrialStats state, end_state, balance, force_error, seconds, persistence;
};

// Squared error at the last predicted time, averaged over series and grid points.
double end_time_mse(const learn::Evaluation& ev) {
  auto last = ev.prediction.select(1, -1) - ev.truth.select(1, -1);
  return last.pow(2).mean().item<double>();
}

// The MSE of predicting no change, u(t) = u(0): the scale any model's error is read against
// (a model above it has learned less than nothing about the dynamics over the span).
double persistence_mse(const learn::Evaluation& ev) {
  return (ev.truth - ev.truth.narrow(1, 0, 1)).pow(2).mean().item<double>();
}

// ‖f_θ − f‖ / ‖f‖ at t = 0 for a model with a force on data of a forced system; NaN else.
double relative_force_error(const learn::LoadedForEval& l) {
  if (!l.system) return NAN;
  auto f_true = l.system->external_force();
  auto f = l.lm.model->force();
  if (!f_true.defined() || !f.defined()) return NAN;
  f = f.detach().to(torch::kCPU, torch::kFloat64).reshape({-1});
  return ((f - f_true).norm() / f_true.norm()).item<double>();
}

// ENFLOW_PHLEARN_ITERATIONS=N trains every row N iterations instead of its config's (a
// shorter run on a busy machine; the rows' commands say so); unset: the configs'.
int64_t iterations_override() {
  const char* v = std::getenv("ENFLOW_PHLEARN_ITERATIONS");
  if (!v || !*v) return 0;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  if (*end != '\0' || n < 1)
    throw std::invalid_argument(std::string("ENFLOW_PHLEARN_ITERATIONS='") + v +
                                "' must be a positive integer");
  return n;
}

int run_phlearn(const ReproduceOptions& opts, const Common& common) {
  const int64_t iterations = opts.quick ? 30 : iterations_override();
  auto rows = phlearn_rows();
  std::vector<std::string> names;
  for (const auto& r : rows) names.push_back(r.config);
  const CaseFilter only("ENFLOW_PHLEARN_ONLY", names);
  rows.erase(std::remove_if(rows.begin(), rows.end(),
                            [&](const PhlearnRow& r) { return !only.keeps(r.config); }),
             rows.end());
  ProtocolRun run(opts.out_dir, "phlearn-pde", "dgnet", common.threads, common.json);
  const auto& root = run.root;
  const auto& cfg_dir = run.cfg_dir;
  const auto& note = run.note;
  std::map<std::string, PhlearnCase> by_system;
  for (const auto& c : phlearn_cases()) by_system[c.system] = c;

  // Training pairs (their protocol) and test trajectories, one set per system and seed.
  std::map<std::string, std::string> made;
  auto dataset = [&](const std::string& system, uint64_t seed, bool test) {
    const std::string key = fmt::format("{}-{}-seed{}", system, test ? "test" : "train", seed);
    if (made.count(key)) return made[key];
    const std::string p = root + "/data/" + key + ".h5";
    if (opts.resume && fs::exists(p)) {
      note("# reusing " + p);
      return made[key] = p;
    }
    const auto& c = by_system.at(system);
    std::vector<std::string> args{system, "-o", p};
    if (test) {  // whole trajectories over phlearn's span, all scored (another seed)
      const double horizon = opts.quick ? 0.5 : c.horizon;
      const auto steps = static_cast<int64_t>(std::lround(horizon / kPhlearnDt));
      args.insert(args.end(), {"--protocol", "long", "--seed", std::to_string(seed + 1000),
                               "--series", std::to_string(opts.quick ? 3 : c.test_series),
                               "--steps", std::to_string(steps), "--train-fraction", "0"});
    } else {
      args.insert(args.end(), {"--protocol", "phlearn", "--seed", std::to_string(seed)});
      if (opts.quick) args.insert(args.end(), {"--series", "40"});
    }
    run_noted("generate", args, note);
    return made[key] = p;
  };

  std::vector<PhlearnMeasured> results(rows.size());
  for (int trial = 0; trial < opts.trials; ++trial) {
    const uint64_t seed = opts.seed + static_cast<uint64_t>(trial);
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto& row = rows[r];
      const std::string dir = fmt::format("{}/{}/seed{}", root, row.config, seed);
      std::vector<std::string> extra;
      if (iterations > 0) extra = {"--set", fmt::format("train.iterations={}", iterations)};
      const auto model =
          train_row(cfg_dir / (row.config + ".toml"), dataset(row.system, seed, false), dir, seed,
                    extra, opts.resume, note);

      const auto test = dataset(row.system, seed, true);
      note(command_line("predict", {"--model", model, "--data", test}) +
           "   # the scores below, from the same evaluation");
      const auto loaded = learn::load_for_eval(model, test);
      const auto ev = learn::evaluate_loaded(loaded);
      auto& m = results[r];
      m.state.add(ev.state_mse);
      m.end_state.add(end_time_mse(ev));
      m.persistence.add(persistence_mse(ev));
      m.balance.add(ev.energy_balance_residual);
      m.force_error.add(relative_force_error(loaded));
      m.seconds.add(loaded.lm.config.get_double("result.train_seconds", NAN));
      if (!common.json)
        fmt::print(stderr, "  {} seed {}: state MSE {:.3e}  end-time MSE {:.3e}  balance {:.1e}\n",
                   row.config, seed, ev.state_mse, m.end_state.v.back(), m.balance.v.back());
    }
  }

  std::string table =
      "| system | model | state MSE over [0, T] | MSE at T | no-change MSE | energy balance "
      "residual | force error ‖f_θ − f‖/‖f‖ | phlearn (stored, median) | train s |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  std::string json = "[";
  auto num = [](double x) {
    return std::isnan(x) ? std::string("null") : fmt::format("{:.6e}", x);
  };
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const auto& m = results[r];
    table += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {:.1f} |\n", row.system, row.label,
        m.state.str(), m.end_state.str(), m.persistence.str(), m.balance.str(), m.force_error.str(),
        std::isnan(row.phlearn_mse)
            ? "—"
            : fmt::format("{} ({})", paper_str(row.phlearn_mse), row.phlearn_model),
        m.seconds.mean());
    json += fmt::format(
        "{}{{\"system\": \"{}\", \"config\": \"{}\", \"trials\": {}, \"state_mse\": {}, "
        "\"end_time_mse\": {}, \"no_change_mse\": {}, \"energy_balance_residual\": {}, "
        "\"force_error\": {}, "
        "\"phlearn_mse\": {}, \"seconds\": {:.1f}}}",
        r ? ", " : "", row.system, row.config, m.state.v.size(), num(m.state.mean()),
        num(m.end_state.mean()), num(m.persistence.mean()), num(m.balance.mean()),
        num(m.force_error.mean()), num(row.phlearn_mse), m.seconds.mean());
  }
  json += "]\n";
  const std::string header = fmt::format(
      "# {}{}enflow reproduce phlearn-pde{}{} --seed {} --trials {}\n\nMean ± standard deviation "
      "over trials (seeds {}..{}); T = {} (KdV–Burgers), {} (BBM); definitions in docs/dgnet.md "
      "(\"phlearn PDEs\").\n\n",
      only.command_prefix(),
      !opts.quick && iterations > 0 ? fmt::format("ENFLOW_PHLEARN_ITERATIONS={} ", iterations) : "",
      opts.quick ? " --quick" : "", opts.resume ? " --resume" : "", opts.seed, opts.trials,
      opts.seed, opts.seed + static_cast<uint64_t>(opts.trials) - 1, opts.quick ? 0.5 : 1.0,
      opts.quick ? 0.5 : 10.0);
  write_report(root, header, table, run.commands, json, common.json, "one folder per row and seed");
  return 0;
}

const ReproductionRegistrar phlearn_reg(
    "phlearn-pde",
    "Eidnes & Lye's PDE cases (KdV-Burgers, BBM): DGNet with learned S-R stencils and a "
    "learned f(x,t) or given force vs NODE, phlearn's stored numbers beside ours",
    run_phlearn, /*resumable=*/true);

}  // namespace
}  // namespace enflow::cli

// The one run API: every solver (and, through the same types, training) takes a config and a
// RunContext (where to write, whom to tell about progress) and returns one RunResult (its
// metrics, in the order recorded, and the files it wrote). Front ends — the enflow command,
// the Python package, a user's program — print or inspect the RunResult; none formats a
// solver's numbers itself.
//
//   auto cfg = enflow::io::Config::load("configs/variational/deep_ritz_10d.toml");
//   auto result = enflow::solve(cfg, enflow::RunContext().out_dir("results"));
//   double err = result.number("rel_l2_error");
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "enflow/io/key_spec.h"
#include "enflow/progress.h"
#include "enflow/registry.h"

namespace enflow {

namespace io {
class Config;
}
namespace distributed {
class Group;
}

/// A metric's value: a number, a count, a flag, a text or a list of numbers.
using MetricValue = std::variant<double, int64_t, bool, std::string, std::vector<double>>;

/// What a run returns.
struct RunResult {
  std::string name;  ///< the run's name; its files are <out_dir>/<name>.*
  std::vector<std::pair<std::string, MetricValue>> metrics;  ///< in the order recorded
  std::vector<std::string> files;  ///< everything written: report, config, plots, tables

  bool has(const std::string& key) const;
  std::vector<std::string> metric_names() const;  ///< in the order recorded
  /// A number or a count; throws std::out_of_range naming a missing or non-numeric key.
  double number(const std::string& key) const;
  const std::string& text(const std::string& key) const;
};

/// Where a run writes and whom it tells.
struct RunContext {
  TORCH_ARG(std::string, out_dir) = ".";
  /// Progress of the run's main loop (iterations, loss, ...); empty: none.
  TORCH_ARG(ProgressFn, progress) = nullptr;
  /// One-line status messages ("reference: 32 MALA chains"); empty: none.
  TORCH_ARG(std::function<void(const std::string&)>, log) = nullptr;
  /// CPU threads; 0: the config's run.threads, else the solver's default.
  TORCH_ARG(int, threads) = 0;
  /// Many processes (distributed::init_from_environment; null: one): the solvers that are
  /// sample-parallel share their samples over it, the others refuse it (docs/distributed.md).
  TORCH_ARG(std::shared_ptr<distributed::Group>, group) = nullptr;

 public:  // TORCH_ARG leaves the section private
  void say(const std::string& line) const {
    if (log_) log_(line);
  }
};

/// Builds a RunResult while a solver runs, and writes it: <out>/<name>.metrics.toml (read
/// back by `enflow reproduce`) and <out>/<name>.config.toml (the config as it ran), atomically.
class Report {
 public:
  /// Plots are on unless the config says output.plot = false or gnuplot is missing.
  Report(const io::Config& config, std::string out_dir, std::string name);
  /// In the context's out_dir; on a rank other than 0 of its group it records but writes
  /// nothing (no plots, no report files: rank 0 writes).
  Report(const io::Config& config, const RunContext& context, std::string name);

  void number(const std::string& key, double value);
  void count(const std::string& key, int64_t value);
  void flag(const std::string& key, bool value);
  void text(const std::string& key, const std::string& value);
  void numbers(const std::string& key, const std::vector<double>& values);

  /// <out>/<name>_<suffix>.png, recorded as a file of the run; "" when plots are off (the
  /// caller then skips the plot).
  std::string plot_path(const std::string& suffix);
  /// <out>/<name><suffix>, recorded as a file of the run (CSV tables, model files).
  std::string file_path(const std::string& suffix);
  /// Records a file the run wrote elsewhere.
  void add_file(const std::string& path);
  bool plots() const { return plots_; }
  bool writes() const { return writes_; }  ///< false on ranks other than 0
  const std::string& name() const { return result_.name; }
  const std::string& out_dir() const { return out_dir_; }

  /// Writes the metrics and the config and returns the result (report files first).
  RunResult finish();

 private:
  void add(const std::string& key, MetricValue value);
  const io::Config& config_;
  std::string out_dir_;
  bool plots_;
  bool writes_ = true;
  RunResult result_;
};

/// The metrics as one flat JSON object {"key": value, ...} (nlohmann-json).
std::string to_json(const RunResult& result);
/// A metric's value as written in the TOML report and the text summary (numbers %.10g).
std::string format_metric(const MetricValue& value);

/// The solver table: problem.kind → one-line help and run, registered by the file that
/// defines the solver (EVNN problems, committor, Deep Ritz, VMC, SVGD, mean-field, potential
/// flow).
struct SolverEntry {
  static constexpr const char* kKind = "problem.kind";
  std::string help;
  std::function<RunResult(const io::Config&, const RunContext&)> run;
  /// Shares its samples over the context's group; the others run on one process only.
  bool sample_parallel = false;
  /// The config keys it reads with their types, defaults and help (io::KeyReader reads
  /// through them; `enflow explain --solver KIND` prints them). Empty: not declared.
  std::function<std::vector<io::KeySpec>()> keys = nullptr;
};
using SolverRegistry = Registry<SolverEntry>;
using SolverRegistrar = Registrar<SolverEntry>;

/// Runs the solver the config's problem.kind names (out_dir is created by rank 0). Throws
/// std::invalid_argument naming a missing or unknown kind (with the known ones), a bad key,
/// or a group of many processes for a solver that is not sample-parallel.
RunResult solve(const io::Config& config, const RunContext& context = RunContext());

}  // namespace enflow

// What the variational `enflow solve` kinds (committor, deep_ritz, vmc_ising) share: progress
// lines, the config keys every kind accepts, and one report that writes
// <out>/<name>.metrics.toml (read back by `enflow reproduce variational`), the config it ran
// and lists the PNG plots.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/variational/common.h"

namespace enflow::cli::variational_cli {

/// Progress on stderr (iteration, loss, a solver-specific metric, rate, time left); none with
/// --json.
variational::ProgressFn progress_printer(const Common& common, const std::string& what,
                                         const std::string& metric);

/// `keys` plus the keys every variational kind accepts (problem.kind, output.*, device, dtype).
std::vector<std::string> with_common_keys(std::vector<std::string> keys);

/// Tensor options from the config's `dtype` (default float64) and `device` (default cpu).
at::TensorOptions tensor_options(const io::Config& cfg);

/// A training history as a line (at most ~2000 points; |y| floored at 1e-16 for log plots).
io::Series history_series(const std::string& name, const std::vector<double>& y,
                          bool abs_value = false);

/// A name for a plot title: gnuplot's enhanced text reads '_' as a subscript.
std::string plot_label(std::string name);

/// Metrics and plots of one run.
class RunReport {
 public:
  RunReport(const io::Config& cfg, const Common& common, std::string out_dir, std::string name);

  void number(const std::string& key, double value);
  void count(const std::string& key, int64_t value);
  void text(const std::string& key, const std::string& value);
  void numbers(const std::string& key, const std::vector<double>& values);

  /// <out>/<name>_<suffix>.png, recorded for the summary; empty when plotting is off
  /// (output.plot = false, or no gnuplot), so callers skip the plot.
  std::string plot_path(const std::string& suffix);

  /// Writes the metrics and the config atomically, prints them (or one JSON object with
  /// --json) and the plots; returns the exit status 0.
  int finish() const;

 private:
  const io::Config& cfg_;
  const Common& common_;
  std::string out_dir_, name_;
  bool plot_;
  /// Records key = value (value already in TOML / JSON syntax); a key that is not a bare TOML
  /// key would make the file unreadable, so it is a std::logic_error.
  void add(const std::string& key, std::string value);
  std::vector<std::pair<std::string, std::string>> metrics_;
  std::vector<std::string> plots_;
};

}  // namespace enflow::cli::variational_cli

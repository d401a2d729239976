// Pieces every `enflow reproduce` protocol uses: finding the shipped configs, writing
// result files atomically, and running a registered subcommand in-process exactly as
// `enflow NAME ARGS...` would, so each table row can be re-run by hand.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace enflow::cli {

/// configs/<sub> in the working directory, else beside the build directory of the binary;
/// throws std::runtime_error naming `who` when neither exists.
std::filesystem::path config_dir(const std::string& sub, const std::string& who);

/// Writes text to path through a temporary file and a rename.
void write_text(const std::string& path, const std::string& text);

/// Writes root/table.md (header, table, then the commands each row ran) and
/// root/results.json, and prints the JSON (json_out) or the header and table with `what`
/// naming the other files written.
void write_report(const std::string& root, const std::string& header, const std::string& table,
                  const std::vector<std::string>& commands, const std::string& json, bool json_out,
                  const std::string& what);

/// The case filter of a long protocol: the comma-separated case names in environment
/// variable `env` (e.g. ENFLOW_GGD_ONLY=chemistry-learned,diffusion); every case when it is
/// unset or empty. A name that is not in `known` throws std::invalid_argument (a typo must
/// not silently run nothing, or everything).
class CaseFilter {
 public:
  CaseFilter(const std::string& env, const std::vector<std::string>& known);
  bool keeps(const std::string& name) const;
  /// "ENV=value " to put in front of a printed command, or "" when unfiltered.
  std::string command_prefix() const;

 private:
  std::string env_, value_;
  std::vector<std::string> names_;
};

/// "enflow NAME ARGS..." as a shell command line (arguments with characters a shell would
/// read are double-quoted), for the tables' "what each row ran".
std::string command_line(const std::string& name, const std::vector<std::string>& args);

/// One metric over a protocol's trials: "mean ± sd" (one trial: the value; none: "—").
struct TrialStats {
  std::vector<double> v;
  void add(double x) { v.push_back(x); }
  double mean() const;
  double sd() const;  ///< sample standard deviation; NaN for fewer than 2 trials
  std::string str() const;
};

/// A published number as the tables print it ("—" for NaN).
std::string paper_str(double x);

/// Runs a registered subcommand; returns its exit status.
int run_command(const std::string& name, const std::vector<std::string>& args);

/// Records a command line (e.g. for table.md and the progress output).
using NoteFn = std::function<void(const std::string&)>;

/// Notes `enflow NAME ARGS...` and runs it; throws std::runtime_error("NAME failed") on a
/// non-zero status.
void run_noted(const std::string& name, const std::vector<std::string>& args, const NoteFn& note);

/// Trains one table row: `enflow train --config <config> --set data.path=<data> --set
/// output.model=<dir>/model.pt --set run.seed=<seed> [extra...] [--resume]`, noted and run
/// in-process (dir is created); returns the model path.
std::string train_row(const std::filesystem::path& config, const std::string& data,
                      const std::string& dir, uint64_t seed, const std::vector<std::string>& extra,
                      bool resume, const NoteFn& note);

/// Where a table protocol's run lives: the threads set (--threads), <out>/<name>/data made,
/// configs/<sub> found, and the commands it notes (for table.md; each printed to stderr unless
/// `json`). `note` refers to this object: it is neither copied nor moved.
struct ProtocolRun {
  ProtocolRun(const std::string& out_dir, const std::string& name, const std::string& config_sub,
              int threads, bool json);
  ProtocolRun(const ProtocolRun&) = delete;
  ProtocolRun& operator=(const ProtocolRun&) = delete;

  std::string root;                   ///< <out>/<name>
  std::filesystem::path cfg_dir;      ///< configs/<sub>
  std::vector<std::string> commands;  ///< what each row ran, in order
  NoteFn note;                        ///< records a command (and prints it)
};

}  // namespace enflow::cli

// The command line's side of the run API (enflow/run.h): a RunContext that draws progress and
// status lines on stderr (nothing with --json), and one printer for every RunResult.
#pragma once

#include <string>
#include <vector>

#include "commands.h"
#include "enflow/run.h"

namespace enflow::cli {

/// Progress lines and status messages on stderr unless --json; --threads.
RunContext run_context(const Common& common, const std::string& out_dir);

/// With --json the metrics as one JSON object on stdout; otherwise one "key value" line per
/// metric and one "wrote FILE" line per file. Returns the exit status 0.
int print_result(const RunResult& result, const Common& common);

/// The --json line of a command that runs no solver (generate, import, inspect, info, sample,
/// demo): its values, typed, written by the one report writer (enflow::to_json).
class JsonLine {
 public:
  JsonLine& text(const std::string& key, const std::string& value);
  JsonLine& number(const std::string& key, double value);
  JsonLine& count(const std::string& key, int64_t value);
  JsonLine& flag(const std::string& key, bool value);
  JsonLine& numbers(const std::string& key, const std::vector<double>& values);
  /// Prints the object on stdout and returns the exit status 0.
  int print() const;

 private:
  RunResult result_;
};

}  // namespace enflow::cli

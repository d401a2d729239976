// The command line's side of the run API (enflow/run.h): a RunContext that draws progress and
// status lines on stderr (nothing with --json), and one printer for every RunResult.
#pragma once

#include <string>

#include "commands.h"
#include "enflow/run.h"

namespace enflow::cli {

/// Progress lines and status messages on stderr unless --json; --threads.
RunContext run_context(const Common& common, const std::string& out_dir);

/// With --json the metrics as one JSON object on stdout; otherwise one "key value" line per
/// metric and one "wrote FILE" line per file. Returns the exit status 0.
int print_result(const RunResult& result, const Common& common);

}  // namespace enflow::cli

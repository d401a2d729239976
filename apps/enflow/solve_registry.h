// `enflow solve --config FILE.toml`: one command for every solver. Solvers register a
// `problem.kind` (a static SolverRegistrar in their solve_<area>.cpp), so adding one touches
// no shared file. cmd_solve.cpp loads the config, applies --set overrides and dispatches.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"

namespace enflow::cli {

/// A solver for one `problem.kind`. `run` gets the loaded config (overrides applied), the
/// shared CLI options (threads, json) and the output directory (created before the call);
/// it returns the process exit status and throws on bad input.
struct SolverSpec {
  std::string kind, description;
  std::function<int(const io::Config&, const Common&, const std::string& out_dir)> run;
};

/// All registered solvers (defined in cmd_solve.cpp).
std::vector<SolverSpec>& solver_registry();

struct SolverRegistrar {
  SolverRegistrar(std::string kind, std::string description,
                  std::function<int(const io::Config&, const Common&, const std::string&)> run) {
    solver_registry().push_back({std::move(kind), std::move(description), std::move(run)});
  }
};

}  // namespace enflow::cli

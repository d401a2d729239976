// `enflow solve --config FILE.toml [--set key=value ...]`: loads a solver config and runs the
// library's solver for its `problem.kind` (enflow::solve, include/enflow/run.h).
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "enflow/run.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

struct SolveArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out_dir = "results";
};

Action setup(CLI::App& app, Common& common) {
  auto args = std::make_shared<SolveArgs>();
  auto* list = app.add_flag("--list", "List the problem kinds");
  app.add_option("--config,-c", args->config, "TOML config with a [problem] kind = \"...\"");
  app.add_option("--set", args->overrides, "Override a config entry: key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--out,-o", args->out_dir, "Directory for results and plots")->check(kOutputDir);
  app.add_flag("--json", common.json, "Print the metrics as JSON");
  return [args, list, &common]() -> int {
    if (list->count() > 0) {
      for (const auto& [kind, s] : SolverRegistry::instance().entries())
        fmt::print("{:<28} {}\n", kind, s.help);
      return 0;
    }
    if (args->config.empty())
      throw std::invalid_argument("solve needs --config FILE.toml (--list shows problem kinds)");
    const auto cfg = io::Config::load(args->config, args->overrides);
    return print_result(solve(cfg, run_context(common, args->out_dir)), common);
  };
}

const CommandRegistrar reg("solve", "Solve a variational or gradient-flow problem from a config",
                           setup);

}  // namespace
}  // namespace enflow::cli

// `enflow solve --config FILE.toml [--set key=value ...]`: loads a solver config and runs the
// library's solver for its `problem.kind` (enflow::solve, include/enflow/run.h).
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/distributed/group.h"
#include "enflow/io/config.h"
#include "enflow/run.h"
#include "enflow/run_config.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

struct SolveArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out_dir = "results";
  double dist_timeout = 0;
};

Action setup(CLI::App& app, Common& common) {
  auto args = std::make_shared<SolveArgs>();
  auto* list = app.add_flag("--list", "List the problem kinds");
  app.add_option("--config,-c", args->config, "TOML config with a [problem] kind = \"...\"");
  app.add_option("--set", args->overrides, "Override a config entry: key=value (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--out,-o", args->out_dir, "Directory for results and plots")->check(kOutputDir);
  app.add_option("--dist-timeout", args->dist_timeout,
                 "Seconds a process waits for the others (sample-parallel kinds on many "
                 "processes: torchrun, srun, enflow launch; default ENFLOW_DIST_TIMEOUT or 300)")
      ->check(kPositive);
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
    auto ctx = run_context(common, args->out_dir);
    // Many processes when the environment says so (docs/distributed.md); rank 0 reports.
    ctx.group(distributed::init_from_environment(
        args->dist_timeout > 0 ? args->dist_timeout : distributed::default_timeout_seconds(),
        run_tensor_options(cfg).device()));
    const bool rank0 = distributed::rank_of(ctx.group().get()) == 0;
    if (!rank0) ctx.progress(nullptr).log(nullptr);
    const auto result = solve(cfg, ctx);
    return rank0 ? print_result(result, common) : 0;
  };
}

const CommandRegistrar reg("solve", "Solve a variational or gradient-flow problem from a config",
                           setup);

}  // namespace
}  // namespace enflow::cli

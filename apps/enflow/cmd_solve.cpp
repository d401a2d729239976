// `enflow solve --config FILE.toml [--set key=value ...]`: loads a solver config and runs the
// solver registered for its `problem.kind` (see solve_registry.h).
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "solve_registry.h"

namespace enflow::cli {

std::vector<SolverSpec>& solver_registry() {
  static std::vector<SolverSpec> r;
  return r;
}

namespace {

struct SolveArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out_dir = "results";
};

std::string known_kinds() {
  auto specs = solver_registry();
  std::sort(specs.begin(), specs.end(),
            [](const SolverSpec& a, const SolverSpec& b) { return a.kind < b.kind; });
  std::string known;
  for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.kind;
  return known.empty() ? "none registered" : known;
}

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
      auto specs = solver_registry();
      std::sort(specs.begin(), specs.end(),
                [](const SolverSpec& a, const SolverSpec& b) { return a.kind < b.kind; });
      for (const auto& s : specs) fmt::print("{:<28} {}\n", s.kind, s.description);
      return 0;
    }
    if (args->config.empty())
      throw std::invalid_argument("solve needs --config FILE.toml (--list shows problem kinds)");
    const auto cfg = io::Config::load(args->config, args->overrides);
    if (!cfg.has("problem.kind"))
      throw std::invalid_argument(cfg.source() + ": missing problem.kind (known: " + known_kinds() +
                                  ")");
    const std::string kind = cfg.require_string("problem.kind");
    for (const auto& s : solver_registry()) {
      if (s.kind != kind) continue;
      std::filesystem::create_directories(args->out_dir);
      return s.run(cfg, common, args->out_dir);
    }
    throw std::invalid_argument(cfg.source() + ": unknown problem.kind '" + kind +
                                "' (known: " + known_kinds() + ")");
  };
}

const CommandRegistrar reg("solve", "Solve a variational or gradient-flow problem from a config",
                           setup);

}  // namespace
}  // namespace enflow::cli

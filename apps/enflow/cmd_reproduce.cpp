// `enflow reproduce NAME`: runs a registered paper-reproduction protocol.
#include <fmt/core.h>

#include <stdexcept>

#include "commands.h"

namespace enflow::cli {
namespace {

Action setup(CLI::App& app, Common& common) {
  auto name = std::make_shared<std::string>();
  auto opts = std::make_shared<ReproduceOptions>();
  app.add_option("name", *name, "Protocol to run (--list shows them)");
  auto* list = app.add_flag("--list", "List the protocols");
  app.add_option("--trials", opts->trials, "Independent trials (seeds seed, seed+1, ...)")
      ->check(kPositive);
  app.add_option("--out", opts->out_dir, "Directory for tables and plots")->check(kOutputDir);
  app.add_option("--seed", opts->seed, "First seed");
  app.add_flag("--quick", opts->quick, "Small version of the protocol (for smoke tests)");
  app.add_flag("--resume", opts->resume,
               "Reuse the datasets and continue (or reuse) the training found in --out");
  app.add_flag("--json", common.json, "Print the results as JSON");
  return [name, opts, list, &common]() -> int {
    const auto& reg = ReproductionRegistry::instance();
    if (list->count() > 0 || name->empty()) {
      for (const auto& [n, r] : reg.entries()) fmt::print("{:<20} {}\n", n, r.description);
      return name->empty() && list->count() == 0 ? 1 : 0;
    }
    const auto& r = reg.at(*name);  // unknown: "unknown protocol 'x' (known: ...)"
    if (opts->resume && !r.resumable)
      throw std::invalid_argument("--resume is not supported by protocol '" + *name + "'");
    return r.run(*opts, common);
  };
}

const CommandRegistrar reg("reproduce", "Run a paper-reproduction protocol and write its table",
                           setup);

}  // namespace
}  // namespace enflow::cli

// enflow command line: parse, call the library, report. Errors become one line on
// stderr and a non-zero exit.
#include <c10/util/Exception.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/runtime.h"

namespace enflow::cli {
std::vector<CommandSpec>& command_registry() {
  static std::vector<CommandSpec> r;
  return r;
}
std::vector<ReproductionSpec>& reproduction_registry() {
  static std::vector<ReproductionSpec> r;
  return r;
}
}  // namespace enflow::cli

int main(int argc, char** argv) {
  using namespace enflow::cli;
  CLI::App app{"enflow: neural networks that keep the laws of physics in discrete time"};
  app.set_version_flag("--version", "enflow " + enflow::version());
  app.require_subcommand(1);
  Common common;

  auto specs = command_registry();
  std::sort(specs.begin(), specs.end(),
            [](const CommandSpec& a, const CommandSpec& b) { return a.name < b.name; });
  std::vector<std::pair<CLI::App*, Action>> commands;
  for (const auto& spec : specs) {
    auto* sub = app.add_subcommand(spec.name, spec.description);
    sub->add_option("--threads", common.threads,
                    "CPU threads (default: ENFLOW_NUM_THREADS, OMP_NUM_THREADS, or all cores)")
        ->check(CLI::NonNegativeNumber);
    commands.emplace_back(sub, spec.setup(*sub, common));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    enflow::init_threads(common.threads);
    for (auto& [sub, act] : commands) {
      if (sub->parsed()) return act();
    }
  } catch (const c10::Error& e) {
    // LibTorch messages carry a backtrace; the first line is the one a user can act on.
    const std::string msg = e.what_without_backtrace();
    fmt::print(stderr, "enflow: error: {}\n", msg.substr(0, msg.find('\n')));
    return 1;
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    fmt::print(stderr, "enflow: error: {}\n", msg.substr(0, msg.find('\n')));
    return 1;
  }
  return 1;
}

// enflow command line: parse, call the library, report. Errors become one line on
// stderr and a non-zero exit.
#include <fmt/core.h>

#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/runtime.h"

int main(int argc, char** argv) {
  CLI::App app{"enflow: neural networks that keep the laws of physics in discrete time"};
  app.set_version_flag("--version", "enflow " + enflow::version());
  app.require_subcommand(1);
  enflow::cli::Common common;

  std::vector<std::pair<CLI::App*, enflow::cli::Action>> commands;
  auto add = [&](CLI::App* sub, enflow::cli::Action act) {
    sub->add_option("--threads", common.threads,
                    "CPU threads (default: ENFLOW_NUM_THREADS, OMP_NUM_THREADS, or all cores)")
        ->check(CLI::NonNegativeNumber);
    commands.emplace_back(sub, std::move(act));
  };
  {
    auto* sub = app.add_subcommand(
        "demo", "Discrete gradient of a random energy network and an energy-conserving run");
    add(sub, enflow::cli::register_demo(*sub, common));
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
    fmt::print(stderr, "enflow: error: {}\n", e.what());
    return 1;
  }
  return 1;
}

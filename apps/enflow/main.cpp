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
#include "enflow/interrupt.h"
#include "enflow/runtime.h"

namespace enflow::cli {}  // namespace enflow::cli

int main(int argc, char** argv) {
  using namespace enflow::cli;
  enflow::install_interrupt_handlers();
  enflow::set_warning_handler([](const std::string& m) {
    end_progress_line();  // on a line of its own
    fmt::print(stderr, "enflow: warning: {}\n", m);
  });
  CLI::App app{"enflow: neural networks that keep the laws of physics in discrete time"};
  app.set_version_flag("--version", "enflow " + enflow::version());
  app.require_subcommand(1);
  Common common;

  std::vector<std::pair<CLI::App*, Action>> commands;
  for (const auto& [name, spec] : CommandRegistry::instance().entries()) {
    auto* sub = app.add_subcommand(name, spec.description);
    sub->add_option("--threads", common.threads,
                    "CPU threads (default: ENFLOW_NUM_THREADS, OMP_NUM_THREADS, or all cores; "
                    "at most " +
                        std::to_string(enflow::max_threads()) + " here)")
        ->check(CLI::Range(0, enflow::max_threads()));
    commands.emplace_back(sub, spec.setup(*sub, common));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Like every other error: one line naming the option, then a non-zero exit.
    fmt::print(stderr, "enflow: error: {} (see --help)\n", e.what());
    return e.get_exit_code();
  }
  // One line on a line of its own, whatever progress line was being drawn.
  auto report = [](const std::string& prefix, const std::string& msg) {
    end_progress_line();
    fmt::print(stderr, "enflow: {}{}\n", prefix, msg.substr(0, msg.find('\n')));
  };
  try {
    enflow::init_threads(common.threads);
    for (auto& [sub, act] : commands) {
      if (sub->parsed()) return act();
    }
  } catch (const enflow::Interrupted& e) {
    report("", e.what());
    return 128 + e.signal();
  } catch (const c10::Error& e) {
    // LibTorch messages carry a backtrace; the first line is the one a user can act on.
    report("error: ", e.what_without_backtrace());
    return 1;
  } catch (const std::bad_alloc&) {
    report("error: ",
           "out of memory (a size in the config or the data is too large for this machine)");
    return 1;
  } catch (const std::exception& e) {
    report("error: ", e.what());
    return 1;
  }
  return 1;
}

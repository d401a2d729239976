// Subcommands register themselves (a static CommandRegistrar in their cmd_<name>.cpp), so
// adding a command touches no shared file. Each registers its options on its CLI11
// subcommand and returns the action to run after parsing.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "enflow/progress.h"
#include "enflow/registry.h"

namespace enflow::cli {

using Action = std::function<int()>;

/// Options every subcommand shares.
struct Common {
  int threads = 0;
  bool json = false;
};

using Setup = std::function<Action(CLI::App& sub, Common& common)>;

/// CLI11 checks of output paths, run at parse time so that a bad path costs no work: a file
/// that can be created (its directory exists and is writable), and a directory that can be
/// created (it is one, or its nearest existing parent is a writable directory).
extern const CLI::Validator kOutputFile;
extern const CLI::Validator kOutputDir;
/// Numbers > 0 and >= 0, with a message that says so (CLI11's own prints its range's bounds).
extern const CLI::Validator kPositive;
extern const CLI::Validator kNonNegative;

/// Draws one line of progress on stderr in place ("\r"). An error printed while it is open
/// starts on a line of its own.
void progress_line(const std::string& text);
/// Ends the open progress line with a newline; no-op when none is open.
void end_progress_line();
/// The progress line of any loop (none with --json): "iter i/n  loss L  penalty M  rate  time
/// left" with the names the loop gives its numbers (enflow::named), ended at the last
/// iteration.
ProgressFn progress_printer(const Common& common);

struct CommandSpec {
  static constexpr const char* kKind = "command";
  std::string description;
  Setup setup;
};
using CommandRegistry = Registry<CommandSpec>;

struct CommandRegistrar {
  CommandRegistrar(const std::string& name, std::string description, Setup setup) {
    CommandRegistry::instance().add(name, {std::move(description), std::move(setup)});
  }
};

/// `enflow reproduce NAME`: paper-reproduction protocols register here the same way.
struct ReproduceOptions {
  int trials = 1;
  std::string out_dir = "results";
  bool quick = false;  ///< a small version of the protocol (minutes, not hours)
  uint64_t seed = 0;
  bool resume = false;  ///< reuse datasets and continue or reuse training found in out_dir
};
using Reproduction = std::function<int(const ReproduceOptions&, const Common&)>;
struct ReproductionSpec {
  static constexpr const char* kKind = "protocol";
  std::string description;
  Reproduction run;
  bool resumable = false;  ///< honours ReproduceOptions::resume
};
using ReproductionRegistry = Registry<ReproductionSpec>;
struct ReproductionRegistrar {
  ReproductionRegistrar(const std::string& name, std::string description, Reproduction run,
                        bool resumable = false) {
    ReproductionRegistry::instance().add(name, {std::move(description), std::move(run), resumable});
  }
};

}  // namespace enflow::cli

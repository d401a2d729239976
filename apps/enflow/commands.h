// Subcommands register themselves (a static CommandRegistrar in their cmd_<name>.cpp), so
// adding a command touches no shared file. Each registers its options on its CLI11
// subcommand and returns the action to run after parsing.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace enflow::cli {

using Action = std::function<int()>;

/// Options every subcommand shares.
struct Common {
  int threads = 0;
  bool json = false;
};

using Setup = std::function<Action(CLI::App& sub, Common& common)>;

struct CommandSpec {
  std::string name, description;
  Setup setup;
};

std::vector<CommandSpec>& command_registry();

struct CommandRegistrar {
  CommandRegistrar(std::string name, std::string description, Setup setup) {
    command_registry().push_back({std::move(name), std::move(description), std::move(setup)});
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
  std::string name, description;
  Reproduction run;
  bool resumable = false;  ///< honours ReproduceOptions::resume
};
std::vector<ReproductionSpec>& reproduction_registry();
struct ReproductionRegistrar {
  ReproductionRegistrar(std::string name, std::string description, Reproduction run,
                        bool resumable = false) {
    reproduction_registry().push_back(
        {std::move(name), std::move(description), std::move(run), resumable});
  }
};

}  // namespace enflow::cli

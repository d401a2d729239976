// `enflow explain [KEY] [--solver KIND]`: what a config key means — its type, default and help,
// from the same tables that validate configs: the training table, and each solver's.
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "enflow/io/key_spec.h"
#include "enflow/learn/model_io.h"
#include "enflow/run.h"

namespace enflow::cli {
namespace {

void print_spec(const io::KeySpec& s, const std::string& where) {
  fmt::print("{} ({}, default {}){}: {}\n", s.key, s.type, s.fallback.empty() ? "none" : s.fallback,
             where, s.help);
}

int explain(const std::string& key, const std::string& solver) {
  if (!solver.empty()) {  // one solver's table, or one of its keys
    const auto& entry = SolverRegistry::instance().at(solver);
    if (!entry.keys) throw std::invalid_argument("solver '" + solver + "' declares no key table");
    const auto specs = entry.keys();
    if (key.empty() || key == "all") {
      fmt::print("{}", io::format_key_specs(specs));
      return 0;
    }
    bool found = false;
    for (const auto& s : specs)
      if (s.key == key) print_spec(s, ""), found = true;
    if (!found)
      throw std::invalid_argument("unknown " + solver + " config key '" + key + "'" +
                                  io::keys_hint(specs, key));
    return 0;
  }
  const auto& specs = learn::experiment_key_specs();
  if (key.empty() || key == "all") {
    fmt::print("{}", io::format_key_specs(specs));
    return 0;
  }
  bool found = false;
  if (const auto* s = io::find_key_spec(specs, key)) print_spec(*s, ""), found = true;
  for (const auto& [name, entry] : SolverRegistry::instance().entries()) {
    if (!entry.keys) continue;
    for (const auto& s : entry.keys())
      if (s.key == key) print_spec(s, " [solver " + name + "]"), found = true;
  }
  if (!found)
    throw std::invalid_argument("unknown config key '" + key + "'" + io::keys_hint(specs, key) +
                                "; solver keys: enflow explain --solver KIND");
  return 0;
}

const CommandRegistrar reg(
    "explain", "What a config key means: type, default, help (training keys, or --solver KIND)",
    [](CLI::App& app, Common&) -> Action {
      auto key = std::make_shared<std::string>();
      auto solver = std::make_shared<std::string>();
      app.add_option("key", *key, "Config key, e.g. train.lr (default: all keys of the table)");
      app.add_option("--solver", *solver,
                     "A solver's table (problem.kind, e.g. committor; enflow solve --list)");
      return [key, solver] { return explain(*key, *solver); };
    });

}  // namespace
}  // namespace enflow::cli

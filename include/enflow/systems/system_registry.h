// Reference systems register themselves, with their data protocols, from the file that
// defines them (a new system is one new file: docs/architecture.md).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "enflow/registry.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"

namespace enflow::systems {

struct SystemEntry {
  static constexpr const char* kKind = "system";
  std::string help;  ///< one line: what the system is, its state layout
  std::function<std::unique_ptr<System>(const Params& overrides)> make;
  /// Data protocols, the first the default: e.g. {"hnn", ...}, {"dgnet", ...}. A system with
  /// a single protocol names it "" ("default" on the command line).
  std::vector<std::pair<std::string, Protocol>> protocols;
};

using SystemRegistrar = Registrar<SystemEntry>;

/// The registered systems and their one-line descriptions.
const std::map<std::string, SystemEntry>& system_entries();

}  // namespace enflow::systems

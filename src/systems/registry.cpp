// make_system and friends: lookups in the systems' registry (each system registers itself,
// with its protocols, in the file that defines it).
#include <stdexcept>

#include "enflow/systems/system_registry.h"

namespace enflow::systems {

const std::map<std::string, SystemEntry>& system_entries() {
  return Registry<SystemEntry>::instance().entries();
}

std::vector<std::string> system_names() { return Registry<SystemEntry>::instance().names(); }

std::unique_ptr<System> make_system(const std::string& name, const Params& overrides) {
  return Registry<SystemEntry>::instance().at(name).make(overrides);
}

std::vector<std::string> protocol_variants(const std::string& system) {
  std::vector<std::string> out;
  for (const auto& [name, p] : Registry<SystemEntry>::instance().at(system).protocols)
    out.push_back(name);
  return out;
}

Protocol default_protocol(const std::string& system, const std::string& variant) {
  const auto& protocols = Registry<SystemEntry>::instance().at(system).protocols;
  if (protocols.empty()) throw std::logic_error("system '" + system + "' has no protocol");
  if (variant.empty()) return protocols.front().second;
  const std::string want = variant == "default" ? "" : variant;
  std::string known;
  for (const auto& [name, p] : protocols) {
    if (name == want) return p;
    known += " " + (name.empty() ? std::string("default") : name);
  }
  throw std::invalid_argument("system '" + system + "' has no protocol '" + variant +
                              "' (known:" + known + ")");
}

}  // namespace enflow::systems

// --help text drawn from the library's tables, so that a registered entry shows up in the
// command line's help with no CLI edit.
#pragma once

#include <fmt/core.h>

#include <string>

#include "enflow/registry.h"

namespace enflow::cli {

/// "heading:\n  name   one-line help\n..." for every entry of a table with a `help` field.
template <class Entry>
std::string registry_help(const std::string& heading) {
  std::string s = heading + ":\n";
  for (const auto& [name, e] : Registry<Entry>::instance().entries())
    s += fmt::format("  {:<22} {}\n", name, e.help);
  return s;
}

}  // namespace enflow::cli

// JSON string literals for the subcommands' --json output (which is assembled with fmt).
#pragma once

#include <string>

namespace enflow::cli {

/// `s` as the inside of a JSON string: quotes and backslashes escaped, control characters
/// dropped (they appear in no name or path enflow prints).
inline std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

}  // namespace enflow::cli

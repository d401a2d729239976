#include "enflow/io/key_spec.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>

namespace enflow::io {

std::vector<std::string> keys_of(const std::vector<KeySpec>& specs) {
  std::vector<std::string> keys;
  keys.reserve(specs.size());
  for (const auto& s : specs) keys.push_back(s.key);
  return keys;
}

std::string format_key_specs(const std::vector<KeySpec>& specs) {
  size_t wk = 0, wt = 0, wd = 0;
  for (const auto& s : specs) {
    wk = std::max(wk, s.key.size());
    wt = std::max(wt, s.type.size());
    wd = std::max(wd, s.fallback.size());
  }
  std::string out;
  for (const auto& s : specs)
    out += fmt::format("  {:<{}}  {:<{}}  {:<{}}  {}\n", s.key, wk, s.type, wt,
                       s.fallback.empty() ? "-" : s.fallback, std::max<size_t>(wd, 1), s.help);
  return out;
}

std::string keys_hint(const std::vector<KeySpec>& specs, const std::string& key) {
  const auto table_of = [](const std::string& k) { return k.substr(0, k.find('.')); };
  std::vector<std::string> same, tables;
  for (const auto& s : specs) {
    const auto t = table_of(s.key);
    if (key.find('.') != std::string::npos && t == table_of(key)) same.push_back(s.key);
    if (std::find(tables.begin(), tables.end(), t) == tables.end()) tables.push_back(t);
  }
  return same.empty() ? fmt::format(" (known tables: {})", fmt::join(tables, ", "))
                      : fmt::format(" (known in its table: {})", fmt::join(same, ", "));
}

const KeySpec* find_key_spec(const std::vector<KeySpec>& specs, const std::string& key) {
  const auto it =
      std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.key == key; });
  return it == specs.end() ? nullptr : &*it;
}

}  // namespace enflow::io

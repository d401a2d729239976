// What a config key means: its type, its default and one line of help — one table per config
// family, which validation (unknown keys), `--help` and `enflow explain KEY` all read.
#pragma once

#include <string>
#include <vector>

namespace enflow::io {

struct KeySpec {
  std::string key;       ///< dotted: "train.lr"
  std::string type;      ///< "float", "int", "string", "bool", "[int]", "[float]"
  std::string fallback;  ///< the default as a reader would write it ("" : none / computed)
  std::string help;      ///< one line
};

/// The keys of a table, for Config::check_known.
std::vector<std::string> keys_of(const std::vector<KeySpec>& specs);
/// An aligned text table "key  type  default  help", one key per line.
std::string format_key_specs(const std::vector<KeySpec>& specs);
/// A hint for an unknown `key`: " (known in its table: train.lr, train.iterations)" when
/// the table (the part before the first dot) exists, else " (known tables: problem, train)".
std::string keys_hint(const std::vector<KeySpec>& specs, const std::string& key);
/// The spec of `key`, or nullptr.
const KeySpec* find_key_spec(const std::vector<KeySpec>& specs, const std::string& key);

}  // namespace enflow::io

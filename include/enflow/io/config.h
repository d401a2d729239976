// TOML experiment configs with `--set key=value` overrides and typed, checked access.
// Keys are dotted paths ("train.lr"). Every error names the source and the key.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace enflow::io {

/// A config that cannot be read or holds a bad key or value: bad input, which the Python
/// package raises as ValueError (a std::runtime_error, as before, for C++ callers).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The config vocabulary every area shares — run.dtype, run.device, run.seed, run.threads,
/// the [network] table — and the old spellings that still load: (old, current) pairs, a table
/// name standing for its whole subtree (dtype → run.dtype, device → run.device, train.dtype
/// → run.dtype, train.device → run.device, train.seed → run.seed, net → network).
const std::vector<std::pair<std::string, std::string>>& deprecated_keys();

class Config {
 public:
  Config();
  /// Reads a TOML file and applies overrides ("train.lr=1e-3"; the value is parsed as a
  /// TOML value, falling back to a string). Throws ConfigError on a missing or
  /// malformed file or override.
  ///
  /// Old spellings of the shared vocabulary (deprecated_keys()) load under their current
  /// names, with one warning per spelling (enflow::warn); `quiet` skips the warning (configs
  /// stored in model files, written before the rename).
  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  static Config parse(const std::string& text, const std::vector<std::string>& overrides = {},
                      const std::string& source = "<config>", bool quiet = false);

  bool has(const std::string& key) const;
  double get_double(const std::string& key, double fallback) const;
  double require_double(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  int64_t require_int(const std::string& key) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::string require_string(const std::string& key) const;
  std::vector<int64_t> get_ints(const std::string& key, const std::vector<int64_t>& fallback) const;
  std::vector<double> get_doubles(const std::string& key,
                                  const std::vector<double>& fallback) const;
  std::vector<std::string> get_strings(const std::string& key,
                                       const std::vector<std::string>& fallback) const;
  /// Sets a value (dotted key), creating tables on the way.
  void set(const std::string& key, const std::string& toml_value);

  /// A copy without `key` (a dotted key: a leaf or a whole table, e.g. "reproduce"); the same
  /// config when it has no such key. The copy shares nothing with this one.
  Config without(const std::string& key) const;

  /// Throws std::runtime_error naming the first key (leaf) not in `known` — catches typos.
  void check_known(const std::vector<std::string>& known) const;
  /// All leaf keys, dotted.
  std::vector<std::string> keys() const;
  /// "key = value" lines (TOML) of every leaf key that starts with one of `prefixes`, sorted:
  /// a fingerprint of part of a config, e.g. what a model's weights depend on.
  std::string lines_of(const std::vector<std::string>& prefixes) const;
  /// The whole config as TOML text (saved beside models so they need no other flags).
  std::string to_toml() const;
  const std::string& source() const { return source_; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::string source_;
};

}  // namespace enflow::io

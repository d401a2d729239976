// Reads a config through its key table (KeySpec): a key the table does not list is refused,
// and an absent key takes the table's default, so a default is written once — in the table
// that validation, `enflow explain` and the error messages read — and not again beside the
// reader.
//
//   const io::KeyReader keys(cfg, vmc_key_specs());   // throws on a key not in the table
//   const int64_t n = keys.get_int("problem.sites");   // the config's value, else "20"
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/io/key_spec.h"

namespace enflow::io {

class KeyReader {
 public:
  /// Throws ConfigError naming the first key of `config` that `specs` does not list, with
  /// the keys of its table as a hint.
  KeyReader(const Config& config, std::vector<KeySpec> specs);

  /// The config's value, else the table's default; a key without a default is required
  /// (ConfigError naming it). Reading a key the table does not list, with a getter of
  /// another type than the table's, or whose default is computed (not a literal), is a
  /// programming error: std::logic_error.
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::vector<int64_t> get_ints(const std::string& key) const;
  std::vector<double> get_doubles(const std::string& key) const;

  /// Keys whose default is computed from other values (the table says how, in words).
  int64_t get_int(const std::string& key, int64_t computed) const;
  double get_double(const std::string& key, double computed) const;
  std::string get_string(const std::string& key, const std::string& computed) const;
  std::vector<int64_t> get_ints(const std::string& key, const std::vector<int64_t>& computed) const;
  std::vector<double> get_doubles(const std::string& key,
                                  const std::vector<double>& computed) const;

  bool has(const std::string& key) const { return config_.has(key); }
  const Config& config() const { return config_; }
  const std::vector<KeySpec>& specs() const { return specs_; }

 private:
  /// The spec of `key`, checked to be of `type`.
  const KeySpec& spec(const std::string& key, const char* type) const;
  /// The config's value of `key` (`read_from(config)`), else the table's default.
  template <class Read>
  auto read(const std::string& key, const char* type, Read read_from) const;

  Config config_;  // a copy (it shares the parsed table): a reader may outlive its argument
  std::vector<KeySpec> specs_;
  Config defaults_;
};

}  // namespace enflow::io

#include "enflow/io/key_reader.h"

#include <stdexcept>
#include <utility>

namespace enflow::io {
namespace {

// A string default as a TOML string literal (the table's strings are plain words and paths).
std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') q += '\\';
    q += ch;
  }
  return q + "\"";
}

}  // namespace

KeyReader::KeyReader(const Config& config, std::vector<KeySpec> specs)
    : config_(config), specs_(std::move(specs)) {
  for (const auto& k : config_.keys())
    if (!find_key_spec(specs_, k))
      throw ConfigError("config '" + config_.source() + "': unknown key '" + k + "'" +
                        keys_hint(specs_, k));
  // Literal defaults become a config of their own, so they are read by the same typed
  // getters (and a computed default, "iterations/10", fails its type there).
  for (const auto& s : specs_) {
    if (s.fallback.empty()) continue;
    try {
      defaults_.set(s.key, s.type == "string" ? quoted(s.fallback) : s.fallback);
    } catch (const ConfigError&) {
    }
  }
}

const KeySpec& KeyReader::spec(const std::string& key, const char* type) const {
  const auto* s = find_key_spec(specs_, key);
  if (!s) throw std::logic_error("key '" + key + "' is read but not in its key table");
  if (s->type != type)
    throw std::logic_error("key '" + key + "' is read as " + type + " but its table says " +
                           s->type);
  return *s;
}

template <class Read>
auto KeyReader::read(const std::string& key, const char* type, Read read_from) const {
  const auto& s = spec(key, type);
  if (config_.has(key)) return read_from(config_);
  if (s.fallback.empty())
    throw ConfigError("config '" + config_.source() + "': missing key '" + key + "' (" + s.help +
                      ")");
  // A computed default read without one, or a literal of the wrong type, is the table's bug.
  const auto bad_default = [&] {
    return std::logic_error("key table: the default '" + s.fallback + "' of '" + key +
                            "' is not a literal " + s.type);
  };
  if (!defaults_.has(key)) throw bad_default();
  try {
    return read_from(defaults_);
  } catch (const ConfigError&) {
    throw bad_default();
  }
}

int64_t KeyReader::get_int(const std::string& key) const {
  return read(key, "int", [&](const Config& c) { return c.get_int(key, 0); });
}
double KeyReader::get_double(const std::string& key) const {
  return read(key, "float", [&](const Config& c) { return c.get_double(key, 0.0); });
}
bool KeyReader::get_bool(const std::string& key) const {
  return read(key, "bool", [&](const Config& c) { return c.get_bool(key, false); });
}
std::string KeyReader::get_string(const std::string& key) const {
  return read(key, "string", [&](const Config& c) { return c.get_string(key, ""); });
}
std::vector<int64_t> KeyReader::get_ints(const std::string& key) const {
  return read(key, "[int]", [&](const Config& c) { return c.get_ints(key, {}); });
}
std::vector<double> KeyReader::get_doubles(const std::string& key) const {
  return read(key, "[float]", [&](const Config& c) { return c.get_doubles(key, {}); });
}

int64_t KeyReader::get_int(const std::string& key, int64_t computed) const {
  spec(key, "int");
  return config_.get_int(key, computed);
}
double KeyReader::get_double(const std::string& key, double computed) const {
  spec(key, "float");
  return config_.get_double(key, computed);
}
std::string KeyReader::get_string(const std::string& key, const std::string& computed) const {
  spec(key, "string");
  return config_.get_string(key, computed);
}
std::vector<int64_t> KeyReader::get_ints(const std::string& key,
                                         const std::vector<int64_t>& computed) const {
  spec(key, "[int]");
  return config_.get_ints(key, computed);
}
std::vector<double> KeyReader::get_doubles(const std::string& key,
                                           const std::vector<double>& computed) const {
  spec(key, "[float]");
  return config_.get_doubles(key, computed);
}

}  // namespace enflow::io

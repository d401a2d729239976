#include "enflow/io/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "enflow/runtime.h"

namespace enflow::io {

struct Config::Impl {
  toml::table root;
};

namespace {

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream ss(key);
  std::string p;
  while (std::getline(ss, p, '.')) parts.push_back(p);
  if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](auto& s) { return s.empty(); })) {
    throw ConfigError("malformed config key '" + key + "'");
  }
  return parts;
}

const toml::node* find(const toml::table& root, const std::string& key) {
  const toml::node* n = &root;
  for (const auto& part : split_key(key)) {
    const auto* t = n->as_table();
    if (!t) return nullptr;
    n = t->get(part);
    if (!n) return nullptr;
  }
  return n;
}

void collect(const toml::table& t, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [k, v] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table()) {
      collect(*sub, key, out);
    } else {
      out.push_back(key);
    }
  }
}

}  // namespace

Config::Config() : impl_(std::make_shared<Impl>()) {}

const std::vector<std::pair<std::string, std::string>>& deprecated_keys() {
  static const std::vector<std::pair<std::string, std::string>> k = {
      {"dtype", "run.dtype"},         {"device", "run.device"},   {"train.dtype", "run.dtype"},
      {"train.device", "run.device"}, {"train.seed", "run.seed"}, {"net", "network"}};
  return k;
}

namespace {

// Moves the node at `from` to `to` (creating tables), refusing when both are set.
void rename_key(toml::table& root, const std::string& from, const std::string& to,
                const std::string& source) {
  const auto fp = split_key(from);
  toml::table* parent = &root;
  for (size_t i = 0; i + 1 < fp.size(); ++i) {
    parent = parent->get_as<toml::table>(fp[i]);
    if (!parent) return;
  }
  auto* node = parent->get(fp.back());
  if (!node) return;
  if (find(root, to))
    throw ConfigError("config '" + source + "': both '" + from + "' and '" + to + "' are set ('" +
                      from + "' is the old name of '" + to + "'); keep one");
  const auto tp = split_key(to);
  toml::table* dest = &root;
  for (size_t i = 0; i + 1 < tp.size(); ++i) {
    if (!dest->contains(tp[i])) dest->insert(tp[i], toml::table{});
    dest = dest->get_as<toml::table>(tp[i]);
    if (!dest)
      throw ConfigError("config '" + source + "': '" + to + "' cannot hold '" + from + "' (" +
                        tp[i] + " is not a table)");
  }
  dest->insert(tp.back(), *node);
  parent->erase(fp.back());
}

}  // namespace

Config Config::parse(const std::string& text, const std::vector<std::string>& overrides,
                     const std::string& source, bool quiet) {
  Config c;
  c.source_ = source;
  try {
    c.impl_->root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << "config '" << source << "': " << e.description() << " (line " << e.source().begin.line
      << ")";
    throw ConfigError(m.str());
  }
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError("malformed override '" + o + "' (expected key=value)");
    }
    c.set(o.substr(0, eq), o.substr(eq + 1));
  }
  for (const auto& [from, to] : deprecated_keys()) {
    if (!find(c.impl_->root, from)) continue;
    rename_key(c.impl_->root, from, to, source);
    if (!quiet)
      warn("config '" + source + "': '" + from + "' is deprecated, read as '" + to +
           "' (rename it)");
  }
  return c;
}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream f(path);
  if (!f.good()) throw ConfigError("cannot read config '" + path + "': no such file");
  std::stringstream ss;
  ss << f.rdbuf();
  return parse(ss.str(), overrides, path);
}

void Config::set(const std::string& key, const std::string& value) {
  auto parts = split_key(key);
  toml::table* t = &impl_->root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto* n = t->get(parts[i]);
    if (!n) {
      t->insert(parts[i], toml::table{});
      n = t->get(parts[i]);
    }
    if (!n->is_table()) {
      throw ConfigError("config '" + source_ + "': cannot set '" + key + "': '" + parts[i] +
                        "' is not a table");
    }
    t = n->as_table();
  }
  // Parse the value as TOML; a bare word that is not TOML becomes a string.
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{};
    parsed.insert("v", value);
  }
  t->insert_or_assign(parts.back(), *parsed.get("v"));
}

bool Config::has(const std::string& key) const { return find(impl_->root, key) != nullptr; }

namespace {
[[noreturn]] void type_error(const std::string& src, const std::string& key, const char* want) {
  throw ConfigError("config '" + src + "': '" + key + "' must be " + want);
}
[[noreturn]] void missing(const std::string& src, const std::string& key) {
  throw ConfigError("config '" + src + "': required key '" + key + "' is missing");
}
}  // namespace

double Config::get_double(const std::string& key, double fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  if (auto v = n->value<double>()) return *v;  // integers convert too
  type_error(source_, key, "a number");
}
double Config::require_double(const std::string& key) const {
  if (!has(key)) missing(source_, key);
  return get_double(key, 0.0);
}
int64_t Config::get_int(const std::string& key, int64_t fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  if (auto v = n->as_integer()) return v->get();
  type_error(source_, key, "an integer");
}
int64_t Config::require_int(const std::string& key) const {
  if (!has(key)) missing(source_, key);
  return get_int(key, 0);
}
bool Config::get_bool(const std::string& key, bool fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  if (auto v = n->as_boolean()) return v->get();
  type_error(source_, key, "true or false");
}
std::string Config::get_string(const std::string& key, const std::string& fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  if (auto v = n->as_string()) return v->get();
  type_error(source_, key, "a string");
}
std::string Config::require_string(const std::string& key) const {
  if (!has(key)) missing(source_, key);
  return get_string(key, "");
}
std::vector<int64_t> Config::get_ints(const std::string& key,
                                      const std::vector<int64_t>& fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  const auto* arr = n->as_array();
  if (!arr) type_error(source_, key, "an array of integers");
  std::vector<int64_t> out;
  for (const auto& e : *arr) {
    auto v = e.as_integer();
    if (!v) type_error(source_, key, "an array of integers");
    out.push_back(v->get());
  }
  return out;
}
std::vector<double> Config::get_doubles(const std::string& key,
                                        const std::vector<double>& fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  const auto* arr = n->as_array();
  if (!arr) type_error(source_, key, "an array of numbers");
  std::vector<double> out;
  for (const auto& e : *arr) {
    auto v = e.value<double>();
    if (!v) type_error(source_, key, "an array of numbers");
    out.push_back(*v);
  }
  return out;
}

std::vector<std::string> Config::get_strings(const std::string& key,
                                             const std::vector<std::string>& fallback) const {
  const auto* n = find(impl_->root, key);
  if (!n) return fallback;
  const auto* arr = n->as_array();
  if (!arr) type_error(source_, key, "an array of strings");
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    auto v = e.as_string();
    if (!v) type_error(source_, key, "an array of strings");
    out.push_back(v->get());
  }
  return out;
}

Config Config::without(const std::string& key) const {
  Config c;
  c.source_ = source_;
  c.impl_->root = impl_->root;  // a deep copy
  auto parts = split_key(key);
  toml::table* t = &c.impl_->root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    t = t->get_as<toml::table>(parts[i]);
    if (!t) return c;
  }
  t->erase(parts.back());
  return c;
}

std::vector<std::string> Config::keys() const {
  std::vector<std::string> out;
  collect(impl_->root, "", out);
  return out;
}

void Config::check_known(const std::vector<std::string>& known) const {
  for (const auto& k : keys()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      throw ConfigError("config '" + source_ + "': unknown key '" + k + "'");
    }
  }
}

std::string Config::lines_of(const std::vector<std::string>& prefixes) const {
  auto ks = keys();
  std::sort(ks.begin(), ks.end());
  std::ostringstream s;
  for (const auto& k : ks) {
    const bool wanted = std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
      return k.compare(0, p.size(), p) == 0;
    });
    if (!wanted) continue;
    s << k << " = ";
    find(impl_->root, k)->visit([&](const auto& v) { s << v; });
    s << '\n';
  }
  return s.str();
}

std::string Config::to_toml() const {
  std::ostringstream s;
  s << impl_->root;
  return s.str();
}

}  // namespace enflow::io

// One registry mechanism for every extension point: name → entry, filled by the file that
// defines the entry through a static Registrar, so adding a system (model, solver, ...) is
// one new file and no shared list. Lookups of unknown names fail with the known ones listed.
//
//   // in double_pendulum.cpp
//   const Registrar<systems::SystemEntry> reg("double-pendulum", {...});
//
// Entries live in libenflow's shared library, whose static initializers run when it is
// loaded, so every entry is registered before main() (a static archive would drop files
// nobody references; decision 48).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

namespace enflow {

namespace detail {
/// The one object of each registry type, kept by libenflow: `make` runs on the first call for
/// `type_name`, later calls return the same object. Through this every module that uses a
/// registry — the Python extension too, whose template instances are hidden (pybind11 builds
/// with -fvisibility=hidden) — shares libenflow's table instead of an empty copy of its own.
void* registry_object(const char* type_name, void* (*make)());
}  // namespace detail

/// Entry types name themselves for messages: `static constexpr const char* kKind = "system";`
template <class Entry>
class Registry {
 public:
  /// The one registry of this entry type (made on first use: ready before any Registrar of
  /// another translation unit uses it; never destroyed, so no exit-order hazards).
  static Registry& instance() {
    static Registry& r = *static_cast<Registry*>(
        detail::registry_object(typeid(Entry).name(), []() -> void* { return new Registry; }));
    return r;
  }

  /// Throws std::logic_error if the name is taken (two files registering one name).
  void add(const std::string& name, Entry entry) {
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::logic_error(std::string(Entry::kKind) + " '" + name + "' registered twice");
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  /// Throws std::invalid_argument "unknown <kind> 'name' (known: a, b, c)".
  const Entry& at(const std::string& name) const {
    const auto it = entries_.find(name);
    if (it == entries_.end())
      throw std::invalid_argument("unknown " + std::string(Entry::kKind) + " '" + name +
                                  "' (known: " + known() + ")");
    return it->second;
  }
  /// The same, with the message prefixed by where the name came from ("cfg.toml: unknown
  /// ...").
  const Entry& at(const std::string& name, const std::string& where) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) {
      try {
        at(name);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where + ": " + e.what());
      }
    }
    return it->second;
  }

  /// "a, b, c": the registered names, sorted, for messages.
  std::string known() const {
    std::string s;
    for (const auto& [n, e] : entries_) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "none registered" : s;
  }

  /// Registered names, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, e] : entries_) out.push_back(n);
    return out;
  }

  const std::map<std::string, Entry>& entries() const { return entries_; }

 private:
  Registry() = default;
  std::map<std::string, Entry> entries_;
};

/// Registers an entry at static-initialization time: `const Registrar<E> r("name", E{...});`
template <class Entry>
struct Registrar {
  Registrar(const std::string& name, Entry entry) {
    Registry<Entry>::instance().add(name, std::move(entry));
  }
};

}  // namespace enflow

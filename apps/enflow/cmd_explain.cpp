// `enflow explain KEY`: what a training config key means — its type, default and help, from
// the same table that validates configs and fills `enflow train --help`.
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "commands.h"
#include "enflow/io/key_spec.h"
#include "enflow/learn/model_io.h"

namespace enflow::cli {
namespace {

int explain(const std::string& key) {
  const auto& specs = learn::experiment_key_specs();
  if (key.empty() || key == "all") {
    fmt::print("{}", io::format_key_specs(specs));
    return 0;
  }
  if (const auto* s = io::find_key_spec(specs, key)) {
    fmt::print("{} ({}, default {}): {}\n", s->key, s->type,
               s->fallback.empty() ? "none" : s->fallback, s->help);
    return 0;
  }
  std::string near;  // the keys of the same table, as a hint
  const auto dot = key.find('.');
  for (const auto& s : specs)
    if (dot != std::string::npos && s.key.compare(0, dot + 1, key, 0, dot + 1) == 0)
      near += (near.empty() ? "" : ", ") + s.key;
  throw std::invalid_argument(
      "unknown training config key '" + key + "'" +
      (near.empty() ? " (enflow explain all lists them)" : " (known in its table: " + near + ")"));
}

const CommandRegistrar reg("explain",
                           "What a training config key means: type, default, help (KEY or 'all')",
                           [](CLI::App& app, Common&) -> Action {
                             auto key = std::make_shared<std::string>();
                             app.add_option("key", *key,
                                            "Config key, e.g. train.lr (default: all keys)");
                             return [key] { return explain(*key); };
                           });

}  // namespace
}  // namespace enflow::cli

// Each subcommand registers its options on the app and returns the action to run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace enflow::cli {

using Action = std::function<int()>;

/// Options every subcommand shares.
struct Common {
  int threads = 0;
  bool json = false;
};

Action register_demo(CLI::App& app, Common& common);

}  // namespace enflow::cli

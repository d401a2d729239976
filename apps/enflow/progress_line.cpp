#include <fmt/core.h>

#include "commands.h"

namespace enflow::cli {

namespace {
bool g_open = false;
}

void progress_line(const std::string& text) {
  fmt::print(stderr, "\r{}", text);
  std::fflush(stderr);
  g_open = true;
}

void end_progress_line() {
  if (g_open) fmt::print(stderr, "\n");
  g_open = false;
}

}  // namespace enflow::cli

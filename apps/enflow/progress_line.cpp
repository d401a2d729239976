#include <fmt/core.h>

#include <chrono>

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

ProgressFn progress_printer(const Common& common) {
  if (common.json) return nullptr;
  const auto t0 = std::chrono::steady_clock::now();
  return [t0](const Progress& p) {
    // Loops that do not time themselves are timed from the printer's creation.
    Progress q = p;
    if (!(q.seconds > 0))
      q.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string line = fmt::format("  {} {:>6}/{}  {} {:.6g}", q.what, q.iteration, q.iterations,
                                   q.loss_name, q.loss);
    if (*q.metric_name) line += fmt::format("  {} {:.4g}", q.metric_name, q.metric);
    if (!q.note.empty()) line += " (" + q.note + ")";
    progress_line(line + fmt::format("  {:7.1f} it/s  {:6.0f} s left ", q.rate(), q.eta()));
    if (q.iteration == q.iterations) end_progress_line();
  };
}

}  // namespace enflow::cli

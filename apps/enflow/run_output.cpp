#include "run_output.h"

#include <fmt/core.h>

namespace enflow::cli {

RunContext run_context(const Common& common, const std::string& out_dir) {
  auto ctx =
      RunContext().out_dir(out_dir).threads(common.threads).progress(progress_printer(common));
  if (!common.json)
    ctx.log([](const std::string& line) {
      end_progress_line();
      fmt::print(stderr, "{}\n", line);
    });
  return ctx;
}

int print_result(const RunResult& result, const Common& common) {
  end_progress_line();
  if (common.json) {
    fmt::print("{}\n", to_json(result));
    return 0;
  }
  for (const auto& [k, v] : result.metrics) {
    // A long history (the energy at every step) is in the files; the summary shows its ends.
    const auto* list = std::get_if<std::vector<double>>(&v);
    if (list && list->size() > 8) {
      const auto& x = *list;
      fmt::print("  {:<28} [{:.10g}, {:.10g}, ..., {:.10g}] ({} values)\n", k, x[0], x[1], x.back(),
                 x.size());
    } else {
      fmt::print("  {:<28} {}\n", k, format_metric(v));
    }
  }
  for (const auto& f : result.files) fmt::print("  wrote {}\n", f);
  return 0;
}

JsonLine& JsonLine::text(const std::string& key, const std::string& value) {
  result_.metrics.emplace_back(key, value);
  return *this;
}
JsonLine& JsonLine::number(const std::string& key, double value) {
  result_.metrics.emplace_back(key, value);
  return *this;
}
JsonLine& JsonLine::count(const std::string& key, int64_t value) {
  result_.metrics.emplace_back(key, value);
  return *this;
}
JsonLine& JsonLine::flag(const std::string& key, bool value) {
  result_.metrics.emplace_back(key, value);
  return *this;
}
JsonLine& JsonLine::numbers(const std::string& key, const std::vector<double>& values) {
  result_.metrics.emplace_back(key, values);
  return *this;
}
int JsonLine::print() const {
  fmt::print("{}\n", to_json(result_));
  return 0;
}

}  // namespace enflow::cli

#include "enflow/run.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "enflow/distributed/group.h"
#include "enflow/io/atomic_file.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"

namespace enflow {

namespace fs = std::filesystem;

namespace {

const MetricValue* find(const RunResult& r, const std::string& key) {
  for (const auto& [k, v] : r.metrics)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace

bool RunResult::has(const std::string& key) const { return find(*this, key) != nullptr; }

std::vector<std::string> RunResult::metric_names() const {
  std::vector<std::string> names;
  for (const auto& [k, v] : metrics) names.push_back(k);
  return names;
}

double RunResult::number(const std::string& key) const {
  const auto* v = find(*this, key);
  if (v && std::holds_alternative<double>(*v)) return std::get<double>(*v);
  if (v && std::holds_alternative<int64_t>(*v)) return static_cast<double>(std::get<int64_t>(*v));
  throw std::out_of_range("run '" + name + "' has no numeric metric '" + key + "'");
}

const std::string& RunResult::text(const std::string& key) const {
  const auto* v = find(*this, key);
  if (v && std::holds_alternative<std::string>(*v)) return std::get<std::string>(*v);
  throw std::out_of_range("run '" + name + "' has no text metric '" + key + "'");
}

std::string format_metric(const MetricValue& value) {
  struct Format {
    std::string operator()(double x) const { return fmt::format("{:.10g}", x); }
    std::string operator()(int64_t n) const { return std::to_string(n); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    // A JSON string is a TOML basic string: the same escapes (\" \\ \n \uXXXX).
    std::string operator()(const std::string& s) const { return nlohmann::json(s).dump(); }
    std::string operator()(const std::vector<double>& v) const {
      std::string s;
      for (double x : v) s += (s.empty() ? "" : ", ") + fmt::format("{:.10g}", x);
      return "[" + s + "]";
    }
  };
  return std::visit(Format{}, value);
}

namespace {

// nlohmann-json for the values (escaping, NaN as null); items joined by ", " as in the rest
// of enflow's JSON lines, which users grep.
struct Json {
  std::string operator()(const std::vector<double>& v) const {
    std::string s;
    for (double x : v) s += (s.empty() ? "" : ", ") + nlohmann::json(x).dump();
    return "[" + s + "]";
  }
  template <class T>
  std::string operator()(const T& x) const {
    return nlohmann::json(x).dump();
  }
};

}  // namespace

std::string to_json(const RunResult& result) {
  std::string s;
  for (const auto& [k, v] : result.metrics)
    s += (s.empty() ? "" : ", ") + nlohmann::json(k).dump() + ": " + std::visit(Json{}, v);
  return "{" + s + "}";
}

Report::Report(const io::Config& config, std::string out_dir, std::string name)
    : config_(config),
      out_dir_(std::move(out_dir)),
      plots_(config.get_bool("output.plot", true) && io::gnuplot_available()) {
  result_.name = std::move(name);
}

Report::Report(const io::Config& config, const RunContext& context, std::string name)
    : Report(config, context.out_dir(), std::move(name)) {
  writes_ = distributed::rank_of(context.group().get()) == 0;
  plots_ = plots_ && writes_;
}

void Report::add(const std::string& key, MetricValue value) {
  // The report is TOML: a key that is not bare would make the file unreadable.
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (!bare) throw std::logic_error("metric key '" + key + "' is not a bare TOML key");
  result_.metrics.emplace_back(key, std::move(value));
}

void Report::number(const std::string& key, double value) { add(key, value); }
void Report::count(const std::string& key, int64_t value) { add(key, value); }
void Report::flag(const std::string& key, bool value) { add(key, value); }
void Report::text(const std::string& key, const std::string& value) { add(key, value); }
void Report::numbers(const std::string& key, const std::vector<double>& values) {
  add(key, values);
}

std::string Report::plot_path(const std::string& suffix) {
  if (!plots_) return "";
  return file_path("_" + suffix + ".png");
}

std::string Report::file_path(const std::string& suffix) {
  result_.files.push_back((fs::path(out_dir_) / (result_.name + suffix)).string());
  return result_.files.back();
}

void Report::add_file(const std::string& path) { result_.files.push_back(path); }

RunResult Report::finish() {
  if (!writes_) return result_;
  const std::string metrics = (fs::path(out_dir_) / (result_.name + ".metrics.toml")).string();
  const std::string config = (fs::path(out_dir_) / (result_.name + ".config.toml")).string();
  std::string text;
  for (const auto& [k, v] : result_.metrics) text += k + " = " + format_metric(v) + "\n";
  io::write_bytes_atomically(metrics, text);
  io::write_bytes_atomically(config, config_.to_toml());
  result_.files.insert(result_.files.begin(), {metrics, config});
  return result_;
}

RunResult solve(const io::Config& config, const RunContext& context) {
  const auto& solvers = SolverRegistry::instance();
  if (!config.has("problem.kind"))
    throw std::invalid_argument(config.source() +
                                ": missing problem.kind (known: " + solvers.known() + ")");
  const auto kind = config.require_string("problem.kind");
  const auto& solver = solvers.at(kind, config.source());
  if (distributed::size_of(context.group().get()) > 1 && !solver.sample_parallel) {
    std::string parallel;
    for (const auto& [k, e] : solvers.entries())
      if (e.sample_parallel) parallel += (parallel.empty() ? "" : ", ") + k;
    throw std::invalid_argument("problem.kind = " + kind +
                                " runs on one process only (sample-parallel kinds: " + parallel +
                                ")");
  }
  if (distributed::rank_of(context.group().get()) == 0) fs::create_directories(context.out_dir());
  return solver.run(config, context);
}

}  // namespace enflow

#include "variational_report.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "enflow/io/atomic_file.h"
#include "enflow/runtime.h"

namespace enflow::cli::variational_cli {

namespace fs = std::filesystem;

variational::ProgressFn progress_printer(const Common& common, const std::string& what,
                                         const std::string& metric) {
  if (common.json) return nullptr;
  auto t0 =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [t0, what, metric](const variational::Progress& p) {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - *t0).count();
    const double rate = p.iteration / std::max(el, 1e-9);
    progress_line(
        fmt::format("  {} {:>6}/{}  loss {:+.6e}  {} {:.2e}  {:6.1f} it/s  {:6.0f} s left ", what,
                    p.iteration, p.iterations, p.loss, metric, p.metric, rate,
                    (p.iterations - p.iteration) / std::max(rate, 1e-9)));
    if (p.iteration == p.iterations) end_progress_line();
  };
}

std::vector<std::string> with_common_keys(std::vector<std::string> keys) {
  for (const char* k : {"problem.kind", "output.name", "output.plot", "device", "dtype"})
    keys.push_back(k);
  return keys;
}

at::TensorOptions tensor_options(const io::Config& cfg) {
  return torch::TensorOptions()
      .dtype(parse_dtype(cfg.get_string("dtype", "float64")))
      .device(parse_device(cfg.get_string("device", "cpu")));
}

io::Series history_series(const std::string& name, const std::vector<double>& y, bool abs_value) {
  io::Series s{name, {}, {}};
  const size_t stride = std::max<size_t>(1, y.size() / 2000);
  for (size_t i = 0; i < y.size(); i += stride) {
    s.x.push_back(double(i + 1));
    s.y.push_back(abs_value ? std::max(std::abs(y[i]), 1e-16) : y[i]);
  }
  return s;
}

std::string plot_label(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

RunReport::RunReport(const io::Config& cfg, const Common& common, std::string out_dir,
                     std::string name)
    : cfg_(cfg),
      common_(common),
      out_dir_(std::move(out_dir)),
      name_(std::move(name)),
      plot_(cfg.get_bool("output.plot", true) && io::gnuplot_available()) {}

void RunReport::add(const std::string& key, std::string value) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (!bare) throw std::logic_error("metric key '" + key + "' is not a bare TOML key");
  metrics_.emplace_back(key, std::move(value));
}

void RunReport::number(const std::string& key, double value) {
  add(key, fmt::format("{:.10g}", value));
}

void RunReport::count(const std::string& key, int64_t value) { add(key, std::to_string(value)); }

void RunReport::text(const std::string& key, const std::string& value) {
  add(key, "\"" + value + "\"");
}

void RunReport::numbers(const std::string& key, const std::vector<double>& values) {
  std::string list;
  for (double v : values) list += fmt::format("{}{:.10g}", list.empty() ? "" : ", ", v);
  add(key, "[" + list + "]");
}

std::string RunReport::plot_path(const std::string& suffix) {
  if (!plot_) return "";
  plots_.push_back((fs::path(out_dir_) / (name_ + "_" + suffix + ".png")).string());
  return plots_.back();
}

int RunReport::finish() const {
  const std::string path = (fs::path(out_dir_) / (name_ + ".metrics.toml")).string();
  io::write_text_atomically(path, [&](std::ostream& f) {
    for (const auto& [k, v] : metrics_) f << k << " = " << v << "\n";
  });
  io::write_bytes_atomically((fs::path(out_dir_) / (name_ + ".config.toml")).string(),
                             cfg_.to_toml());
  if (common_.json) {
    std::string s = "{";
    for (size_t i = 0; i < metrics_.size(); ++i)
      s += fmt::format("{}\"{}\": {}", i ? ", " : "", metrics_[i].first, metrics_[i].second);
    fmt::print("{}}}\n", s);
    return 0;
  }
  for (const auto& [k, v] : metrics_) fmt::print("  {:<28} {}\n", k, v);
  fmt::print("  metrics: {}\n", path);
  for (const auto& p : plots_) fmt::print("  plot: {}\n", p);
  return 0;
}

}  // namespace enflow::cli::variational_cli

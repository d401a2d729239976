#include "particles_cli.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "enflow/io/atomic_file.h"
#include "enflow/runtime.h"
#include "reproduce_util.h"

namespace enflow::cli::particles_cli {

namespace fs = std::filesystem;

std::string num(double x) { return fmt::format("{:.10g}", x); }
std::string quoted(const std::string& s) { return "\"" + s + "\""; }

c10::TensorOptions tensor_options(const io::Config& cfg) {
  return torch::TensorOptions()
      .dtype(parse_dtype(cfg.get_string("dtype", "float64")))
      .device(parse_device(cfg.get_string("device", "cpu")));
}

uint64_t start_run(const io::Config& cfg, const Common& common) {
  // Small particle systems: one thread is fastest, and far faster on a shared machine.
  init_threads(common.threads > 0 ? common.threads
                                  : static_cast<int>(cfg.get_int("run.threads", 1)));
  const int64_t seed = cfg.get_int("run.seed", 0);
  if (seed < 0) throw std::invalid_argument(cfg.source() + ": run.seed must be >= 0");
  torch::manual_seed(static_cast<uint64_t>(seed));
  return static_cast<uint64_t>(seed);
}

particles::ProgressFn progress_line(const Common& common, const std::string& what,
                                    const std::string& loss_name, const std::string& metric_name) {
  if (common.json) return nullptr;
  auto t0 =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [=](const particles::Progress& p) {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - *t0).count();
    const double rate = p.iteration / std::max(el, 1e-9);
    cli::progress_line(
        fmt::format("  {} {:>6}/{}  {} {:.6g}  {} {:.4g}  {:7.1f} it/s  {:6.0f} s left ", what,
                    p.iteration, p.iterations, loss_name, p.loss, metric_name, p.metric, rate,
                    (p.iterations - p.iteration) / std::max(rate, 1e-9)));
    if (p.iteration == p.iterations) end_progress_line();
  };
}

void write_csv(const std::string& path, const std::string& comment,
               const std::vector<std::string>& columns, const at::Tensor& table) {
  auto t = table.to(torch::kCPU, torch::kDouble).contiguous();
  if (t.dim() != 2 || t.size(1) != static_cast<int64_t>(columns.size()))
    throw std::invalid_argument("write_csv: the table does not match its columns");
  io::write_text_atomically(path, [&](std::ostream& f) {
    if (!comment.empty()) f << "# " << comment << "\n";
    for (size_t c = 0; c < columns.size(); ++c) f << (c ? "," : "") << columns[c];
    f << "\n";
    const double* v = t.data_ptr<double>();
    for (int64_t r = 0; r < t.size(0); ++r) {
      for (int64_t c = 0; c < t.size(1); ++c)
        f << (c ? "," : "") << fmt::format("{:.17g}", v[r * t.size(1) + c]);
      f << "\n";
    }
  });
}

void report(const std::string& out_dir, const std::string& name, const Metrics& metrics,
            const io::Config& cfg, const Common& common, const std::vector<std::string>& files) {
  const std::string path = (fs::path(out_dir) / (name + ".metrics.toml")).string();
  std::string text;
  for (const auto& [k, v] : metrics) text += k + " = " + v + "\n";
  write_text(path, text);
  write_text((fs::path(out_dir) / (name + ".config.toml")).string(), cfg.to_toml());
  if (common.json) {
    std::string s = "{";
    for (size_t i = 0; i < metrics.size(); ++i)
      s += fmt::format("{}\"{}\": {}", i ? ", " : "", metrics[i].first, metrics[i].second);
    fmt::print("{}}}\n", s);
    return;
  }
  for (const auto& [k, v] : metrics) fmt::print("  {:<28} {}\n", k, v);
  fmt::print("  wrote {}\n", path);
  for (const auto& f : files) fmt::print("  wrote {}\n", f);
}

io::PointSet point_set(const std::string& name, const at::Tensor& xy, const std::string& color,
                       double size) {
  auto p = xy.detach().to(torch::kCPU, torch::kDouble).contiguous();
  io::PointSet s{name, {}, {}, color, size};
  for (int64_t i = 0; i < p.size(0); ++i) {
    s.x.push_back(p[i][0].item<double>());
    s.y.push_back(p[i][1].item<double>());
  }
  return s;
}

at::Tensor grid_points(double box, int64_t n, const c10::TensorOptions& options) {
  auto c = torch::linspace(-box, box, n, options);
  auto mesh = torch::meshgrid({c, c}, "ij");  // mesh[0] varies along rows: y
  return torch::stack({mesh[1].reshape({-1}), mesh[0].reshape({-1})}, 1);
}

io::Heatmap grid_heatmap(const at::Tensor& values, double box, int64_t n) {
  auto v = values.detach().to(torch::kCPU, torch::kDouble).reshape({n, n}).contiguous();
  io::Heatmap h;
  h.x0 = h.y0 = -box;
  h.x1 = h.y1 = box;
  h.values.assign(n, std::vector<double>(n));
  const double* p = v.data_ptr<double>();
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c) h.values[r][c] = p[r * n + c];
  return h;
}

io::Series curve(const std::string& name, const std::vector<double>& y,
                 const std::vector<double>& x) {
  io::Series s{name, {}, {}};
  const size_t stride = std::max<size_t>(1, y.size() / 2000);
  for (size_t i = 0; i < y.size(); i += stride) {
    s.x.push_back(x.empty() ? double(i + 1) : x[i]);
    s.y.push_back(y[i]);
  }
  return s;
}

bool plotting(const io::Config& cfg) {
  return cfg.get_bool("output.plot", true) && io::gnuplot_available();
}

}  // namespace enflow::cli::particles_cli

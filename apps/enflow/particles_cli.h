// Shared pieces of the particle commands (`enflow solve` kinds svgd, mean_field,
// potential_flow; `enflow sample`; `enflow reproduce particles`): metrics files, CSV tables,
// progress lines and the conversions from tensors to plots.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "enflow/io/config.h"
#include "enflow/io/plot.h"
#include "enflow/particles/common.h"

namespace enflow::cli::particles_cli {

/// Flat metrics, values already as TOML literals (numbers, quoted strings).
using Metrics = std::vector<std::pair<std::string, std::string>>;
std::string num(double x);
std::string quoted(const std::string& s);

/// dtype (default float64) and device (default cpu) from the config's top-level keys.
c10::TensorOptions tensor_options(const io::Config& cfg);

/// Applies run.threads (unless --threads) and run.seed; returns the seed.
uint64_t start_run(const io::Config& cfg, const Common& common);

/// A progress line on stderr (none with --json): iteration, loss, metric, rate, time left.
particles::ProgressFn progress_line(const Common& common, const std::string& what,
                                    const std::string& loss_name, const std::string& metric_name);

/// A CSV table (header row `columns`, rows of `table` [N, k]) after '#' comment lines,
/// written atomically.
void write_csv(const std::string& path, const std::string& comment,
               const std::vector<std::string>& columns, const at::Tensor& table);

/// Writes <out>/<name>.metrics.toml and <name>.config.toml, then prints the metrics (JSON
/// with --json) and the files written.
void report(const std::string& out_dir, const std::string& name, const Metrics& metrics,
            const io::Config& cfg, const Common& common, const std::vector<std::string>& files);

/// Points [N, 2] as a plotted cloud.
io::PointSet point_set(const std::string& name, const at::Tensor& xy, const std::string& color,
                       double size = 0.4);
/// The (n·n, 2) points of an n × n grid on [−box, box]², rows along y (heatmap order).
at::Tensor grid_points(double box, int64_t n, const c10::TensorOptions& options);
/// Values on grid_points(box, n) as a heatmap.
io::Heatmap grid_heatmap(const at::Tensor& values, double box, int64_t n);
/// A curve from y values at x = 1, 2, ... (thinned to at most 2000 points).
io::Series curve(const std::string& name, const std::vector<double>& y,
                 const std::vector<double>& x = {});

/// Plots only when output.plot (default true) and gnuplot is there.
bool plotting(const io::Config& cfg);

}  // namespace enflow::cli::particles_cli

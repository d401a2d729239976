// `enflow inspect FILE`: shape, system, parameters, split and the drift of the system's
// invariants (energy, mass, ...) along the stored series.
#include <fmt/core.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>

#include "commands.h"
#include "enflow/io/dataset.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

int run_inspect(const std::string& path, const Common& common) {
  auto d = io::load_dataset(path);
  const auto S = d.states.size(0), T = d.states.size(1), D = d.states.size(2);
  std::map<std::string, double> drifts;
  std::string drift_note;
  const auto names = systems::system_names();
  if (std::find(names.begin(), names.end(), d.system) != names.end()) {
    try {
      auto sys = systems::make_system(d.system, d.params);
      if (sys->dim() != D) {
        drift_note = fmt::format("system '{}' has dim {}, the states {}", d.system, sys->dim(), D);
      } else {
        drifts = systems::invariant_drifts(*sys, d.states);
      }
    } catch (const std::exception& e) {
      drift_note = e.what();
    }
  } else {
    drift_note = d.system.empty() ? "no system recorded" : "unknown system '" + d.system + "'";
  }
  const double t0 = d.t.min().item<double>(), t1 = d.t.max().item<double>();
  const auto lengths = io::series_lengths(d);  // ragged records: series of different lengths
  const int64_t shortest = lengths.shortest, points = lengths.points;
  if (common.json) {
    JsonLine j;
    j.text("file", path).text("system", d.system).text("source", d.source);
    j.count("series", S).count("steps", T).count("min_steps", shortest).count("points", points);
    j.count("dim", D).text("t_shape", d.t.dim() == 1 ? "[T]" : "[S, T]");
    j.number("t_min", t0).number("t_max", t1).number("dt", d.dt).number("noise", d.noise);
    j.count("seed", static_cast<int64_t>(d.seed));
    j.count("train", static_cast<int64_t>(d.train.size()));
    j.count("test", static_cast<int64_t>(d.test.size()));
    j.numbers("grid", std::vector<double>(d.grid.begin(), d.grid.end()));  // [] off 2-D/3-D grids
    for (const auto& [k, v] : d.params) j.number("param_" + k, v);  // as in the HDF5 attributes
    for (const auto& [k, v] : drifts) j.number(k, v);
    return j.print();
  }
  fmt::print("{}\n", path);
  fmt::print("  system      {}\n", d.system.empty() ? "(none)" : d.system);
  if (!d.source.empty()) fmt::print("  source      {}\n", d.source);
  fmt::print("  states      [{}, {}, {}] (series, time points, dim)\n", S, T, D);
  if (!d.grid.empty())
    fmt::print("  grid        {} (points per axis, row-major states)\n", fmt::join(d.grid, " x "));
  if (shortest < T)
    fmt::print("  lengths     {} to {} time points per series, {} in all\n", shortest, T, points);
  fmt::print("  t           {} in [{}, {}], dt = {}{}\n", d.t.dim() == 1 ? "[T]" : "[S, T]", t0, t1,
             d.dt, d.dt == 0 ? " (irregular time stamps)" : "");
  fmt::print("  noise       {}\n  seed        {}\n", d.noise, d.seed);
  fmt::print("  split       {} train / {} test\n", d.train.size(), d.test.size());
  for (const auto& [k, v] : d.params) fmt::print("  param       {} = {}\n", k, v);
  if (drifts.empty()) {
    fmt::print("  invariants  n/a ({})\n", drift_note);
  } else {
    fmt::print(
        "  invariants  (max over series and time; relative where |I(0)| >= 1, absolute "
        "below)\n");
    for (const auto& [k, v] : drifts) fmt::print("    {:<40} {:.3e}\n", k, v);
  }
  return 0;
}

}  // namespace

Action setup_inspect(CLI::App& app, Common& common) {
  auto path = std::make_shared<std::string>();
  app.add_option("file", *path, "HDF5 dataset")->required();
  app.add_flag("--json", common.json, "Print as JSON");
  return [path, &common]() { return run_inspect(*path, common); };
}

namespace {
const CommandRegistrar reg("inspect",
                           "Shape, system, parameters, split and invariant drift of a dataset",
                           setup_inspect);
}  // namespace

}  // namespace enflow::cli

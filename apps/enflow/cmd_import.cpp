// `enflow import FILE.(txt|csv|npy) -o FILE.h5`: a user's own trajectories as a dataset.
#include <fmt/core.h>
#include <torch/torch.h>

#include <sstream>

#include "commands.h"
#include "enflow/io/dataset.h"
#include "enflow/io/import.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

struct ImportArgs {
  std::string input, output, columns, system, series;
  std::vector<std::string> params;
  double dt = 0, train_fraction = 0.8, max_gap = 0;
  int64_t chunks = 1;
};

// "1,3,5-7" → 1, 3, 5, 6, 7 (ids as numbers: a series column may hold any number).
std::vector<double> parse_series(const std::string& spec) {
  std::vector<double> ids;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto dash = item.find('-', 1);  // a leading '-' is a sign
    try {
      size_t used = 0;
      if (dash == std::string::npos) {
        ids.push_back(std::stod(item, &used));
        if (used != item.size()) throw std::invalid_argument(item);
        continue;
      }
      const auto lo = std::stoll(item.substr(0, dash), &used);
      if (used != dash) throw std::invalid_argument(item);
      const auto hi = std::stoll(item.substr(dash + 1), &used);
      if (used != item.size() - dash - 1 || hi < lo || hi - lo > 1000000)
        throw std::invalid_argument(item);
      for (auto i = lo; i <= hi; ++i) ids.push_back(static_cast<double>(i));
    } catch (const std::exception&) {
      throw std::invalid_argument("--series: '" + item +
                                  "' is not a series id or a range such as 3-7");
    }
  }
  if (ids.empty()) throw std::invalid_argument("--series: no series named");
  return ids;
}

int run_import(const ImportArgs& a, const Common& common) {
  io::ImportOptions o;
  if (!a.columns.empty()) {
    std::stringstream ss(a.columns);
    std::string c;
    while (std::getline(ss, c, ',')) {
      if (c.empty()) throw std::invalid_argument("--columns has an empty name");
      o.columns.push_back(c);
    }
  }
  o.system = a.system;
  o.params = systems::parse_param_overrides(a.params, a.system);
  if (!a.system.empty()) {
    // A known system checks the parameters and the state dimension.
    auto sys = systems::make_system(a.system, o.params);
    o.params = sys->parameters();
  }
  o.dt = a.dt;
  o.train_fraction = a.train_fraction;
  o.chunks = a.chunks;
  if (!a.series.empty()) o.series = parse_series(a.series);
  o.max_gap = a.max_gap;
  auto d = io::import_trajectories(a.input, o);
  if (!a.system.empty()) {
    auto sys = systems::make_system(a.system, o.params);
    if (sys->dim() != d.states.size(2))
      throw std::invalid_argument(fmt::format("system '{}' has {} state components, the file {}",
                                              a.system, sys->dim(), d.states.size(2)));
  }
  io::save_dataset(a.output, d);
  const auto [shortest, longest, points] = io::series_lengths(d);
  if (common.json) {
    JsonLine()
        .text("file", a.output)
        .count("series", d.states.size(0))
        .count("steps", longest)
        .count("min_steps", shortest)
        .count("points", points)
        .count("dim", d.states.size(2))
        .number("dt", d.dt)
        .print();
  } else {
    const auto lengths = shortest == longest ? fmt::format("{}", shortest)
                                             : fmt::format("{} to {}", shortest, longest);
    fmt::print("{}: {} series x {} time points x {}{}\n", a.output, d.states.size(0), lengths,
               d.states.size(2),
               d.dt == 0 ? ", irregular time stamps kept" : fmt::format(", dt = {}", d.dt));
  }
  return 0;
}

}  // namespace

Action setup_import(CLI::App& app, Common& common) {
  auto a = std::make_shared<ImportArgs>();
  app.add_option("input", a->input, "Text (.txt, .csv, .dat, .tsv) or .npy trajectories")
      ->required();
  app.add_option("-o,--output", a->output, "Output HDF5 file")->required()->check(kOutputFile);
  app.add_option("--columns", a->columns,
                 "Comma-separated column roles: series, t, _ (skip), or a state name, e.g. "
                 "series,t,q,p");
  app.add_option("--system", a->system, "Record this system (checks the state dimension)");
  app.add_option("--param", a->params, "System parameter KEY=VALUE (repeatable)");
  app.add_option("--dt", a->dt, "Time step when there is no t column (default 1)");
  app.add_option("--train-fraction", a->train_fraction,
                 "Leading fraction of series for training (a single series is training)");
  app.add_option("--chunks", a->chunks,
                 "Cut each series into N consecutive series (before the split): one long "
                 "record becomes a split in time");
  app.add_option("--series", a->series,
                 "Keep only these series (ids of the series column, or indices of an [S, T, D] "
                 "array), e.g. 1,3,5-7");
  app.add_option("--max-gap", a->max_gap,
                 "Split a series wherever its time stamps jump by more than this (needs a t "
                 "column)");
  app.add_flag("--json", common.json, "Print the summary as JSON");
  return [a, &common]() { return run_import(*a, common); };
}

namespace {
const CommandRegistrar reg("import", "A user's own trajectories (text or .npy) as an HDF5 dataset",
                           setup_import);
}  // namespace

}  // namespace enflow::cli

// The DGNet reproduction runner shared by `enflow reproduce dgnet-table2/3/extensions`
// (reproduce_dgnet.cpp) and `dgnet-2d` (reproduce_dgnet2d.cpp): a protocol is data (rows:
// system, shipped config, label, the paper's numbers; per-system `enflow generate`
// arguments), and run_dgnet_protocol generates, trains, evaluates and writes the table.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"

namespace enflow::cli::dgnet {

/// A paper's numbers for a row (absolute values, its scale factors applied); NaN: not given.
struct Paper {
  double deriv = NAN, energy = NAN, mass = NAN;
};

struct Row {
  std::string system;  ///< dataset key: the `enflow generate` system name
  std::string config;  ///< configs/dgnet/<config>.toml
  std::string label;   ///< model and scheme, as the paper names it
  Paper paper;
};

struct Protocol {
  Protocol(std::string name_, std::vector<Row> rows_)
      : name(std::move(name_)), rows(std::move(rows_)) {}
  std::string name;  ///< the reproduction's name (output folder, table title)
  std::vector<Row> rows;
  /// Extra `enflow generate` arguments per system for the full protocol and for --quick
  /// (systems not listed: the built-in defaults, e.g. 10 series x 40 steps for 1-D PDEs).
  std::map<std::string, std::vector<std::string>> generate, generate_quick;
  /// Config settings (`--set key=value`) every row's training gets under --quick.
  std::vector<std::string> quick_set = {"train.iterations=30"};
};

/// Runs every row (ENFLOW_DGNET_ONLY=config,... keeps only those) for opts.trials seeds and
/// writes <out>/<name>/table.md and results.json. The table has a "G rel. error" column
/// (learn::Evaluation::structure_identification_error) when any row learns its structure.
int run_dgnet_protocol(Protocol protocol, const ReproduceOptions& opts, const Common& common);

}  // namespace enflow::cli::dgnet

// Import a user's own trajectories from text (whitespace- or comma-separated) or .npy into
// a Dataset, so that real measurements can be learned from.
//
// Text: one row per time point; lines starting with '%' or '#' and a leading line of
// non-numeric column names are skipped. Column roles come from ImportOptions::columns:
//   "series"  a series (trial) id: consecutive rows with the same id form one series,
//   "t"       time stamps (kept as they are, gaps included),
//   "_"       ignored,
//   any other name: a state component, in the order given.
// Without columns every column is a state component of one series.
// .npy: float64/float32/int little-endian, C order, [T, D] (one series, columns as for
// text) or [S, T, D] (states; t = k·dt).
// Series may have different lengths and irregular time stamps (Dataset::lengths).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "enflow/io/dataset.h"

namespace enflow::io {

struct ImportOptions {
  std::vector<std::string> columns;  ///< roles per column (see above); empty: all state
  std::string system;                ///< recorded system name (may be empty)
  std::map<std::string, double> params;
  double dt = 0.0;              ///< time step when there is no "t" column (0: use 1)
  double train_fraction = 0.8;  ///< leading series for training; a single series is train
  /// Cut every series into this many consecutive series of equal length (the rows that do
  /// not fill a last chunk are dropped), before the split: one long record becomes leading
  /// chunks for training and trailing ones for testing (a split in time).
  int64_t chunks = 1;
  /// Keep only these series, in this order: values of the "series" column, or indices of
  /// an [S, T, D] array (empty: all).
  std::vector<double> series;
  /// Split a series wherever consecutive time stamps are more than this apart (0: never);
  /// needs a "t" column. Applied after `series`, before `chunks`.
  double max_gap = 0.0;
};

/// Reads FILE.txt / .csv / .dat (text) or .npy. Throws std::runtime_error with a one-line
/// message naming the file, and the line where relevant, for malformed input (ragged rows,
/// non-numbers, NaN, decreasing time stamps, columns that do not match).
Dataset import_trajectories(const std::string& path, const ImportOptions& options = {});

}  // namespace enflow::io

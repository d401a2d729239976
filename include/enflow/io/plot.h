// PNG line plots through gnuplot (Debian's gnuplot-nox), written atomically.
#pragma once

#include <string>
#include <vector>

namespace enflow::io {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct PlotSpec {
  std::string title, xlabel, ylabel;
  bool logy = false;
  int width = 900, height = 600;
};

/// True when a gnuplot executable is on PATH.
bool gnuplot_available();

/// Draws the series as lines into a PNG at path. Throws std::runtime_error if gnuplot
/// is missing or fails.
void plot_lines(const std::string& path, const PlotSpec& spec, const std::vector<Series>& series);

}  // namespace enflow::io

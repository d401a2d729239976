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

/// A space-time picture: values[row][col] with rows along y (e.g. time) and columns along
/// x (e.g. grid points), drawn as a colour map into a PNG at path.
struct Heatmap {
  std::vector<std::vector<double>> values;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
};
void plot_heatmap(const std::string& path, const PlotSpec& spec, const Heatmap& map);

}  // namespace enflow::io

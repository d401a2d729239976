// PNG line plots through gnuplot (Debian's gnuplot-nox), written atomically.
#pragma once

#include <string>
#include <vector>

namespace enflow::io {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

/// A history y at x = 1, 2, ... (or at x) as a line, thinned to at most ~2000 points; with
/// abs_value, |y| floored at 1e-16 (for log axes).
Series series_of(const std::string& name, const std::vector<double>& y,
                 const std::vector<double>& x = {}, bool abs_value = false);

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

/// Contour lines of a field (same grid convention as Heatmap) at the given levels.
struct ContourSet {
  std::string name;  ///< legend entry; empty: no entry
  Heatmap field;
  std::vector<double> levels;
  std::string color = "black";  ///< gnuplot colour name or "#rrggbb"
  bool dashed = false;
};

/// A cloud of points (particles, samples), drawn as dots.
struct PointSet {
  std::string name;  ///< legend entry; empty: no entry
  std::vector<double> x, y;
  std::string color = "#1f77b4";
  double size = 0.4;
};

/// One 2-D panel: an optional colour map underneath, then contour lines, then points.
/// Axis ranges default to the colour map's box, else to gnuplot's autoscale.
struct Panel2d {
  std::string title;
  Heatmap background;  ///< empty values: none
  std::string cblabel;
  std::vector<ContourSet> contours;
  std::vector<PointSet> points;
  bool equal_axes = false;
  /// Set xmin < xmax (ymin < ymax) to fix the range.
  double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
};

/// Draws panels in a grid of `columns` (1: one panel per row) into one PNG at path;
/// spec.title heads the figure, spec.xlabel / ylabel label every panel, and
/// spec.width / height are the size of one panel. Throws std::invalid_argument for
/// empty panels or mismatched point coordinates, std::runtime_error if gnuplot fails.
void plot_panels(const std::string& path, const PlotSpec& spec, const std::vector<Panel2d>& panels,
                 int columns = 3);

}  // namespace enflow::io

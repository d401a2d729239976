#include "enflow/io/plot.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "enflow/interrupt.h"
#include "enflow/io/atomic_file.h"

namespace enflow::io {

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("''") : std::string(1, c);
  return q + "'";
}
// Text shown in a plot (titles, labels, legend entries): quoted, with the characters that
// gnuplot's enhanced mode would read as markup escaped ("discrete_gradient" would print a
// subscript g otherwise). File names go through quote() alone.
std::string label(const std::string& s) {
  std::string e;
  for (char c : s) {
    if (c == '_' || c == '^' || c == '@' || c == '&' || c == '~' || c == '{' || c == '}') e += '\\';
    e += c;
  }
  return quote(e);
}
}  // namespace

Series series_of(const std::string& name, const std::vector<double>& y,
                 const std::vector<double>& x, bool abs_value) {
  Series s{name, {}, {}};
  const size_t stride = std::max<size_t>(1, y.size() / 2000);
  for (size_t i = 0; i < y.size(); i += stride) {
    s.x.push_back(x.empty() ? static_cast<double>(i + 1) : x[i]);
    s.y.push_back(abs_value ? std::max(std::abs(y[i]), 1e-16) : y[i]);
  }
  return s;
}

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

namespace {
// gnuplot exits 0 when its PNG write fails (a full disk): the file must be a whole PNG, from
// the signature to the IEND chunk, before it replaces the old one.
void verify_png(const std::string& tmp, const std::string& path) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static const unsigned char kEnd[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  std::ifstream f(tmp, std::ios::binary | std::ios::ate);
  const std::streamoff size = f ? static_cast<std::streamoff>(f.tellg()) : -1;
  unsigned char head[8] = {0}, tail[12] = {0};
  const bool whole = size >= 20 && f.seekg(0).read(reinterpret_cast<char*>(head), 8) &&
                     f.seekg(size - 12).read(reinterpret_cast<char*>(tail), 12) &&
                     std::equal(head, head + 8, kSignature) && std::equal(tail, tail + 12, kEnd);
  if (!whole)
    throw std::runtime_error("cannot write '" + path + "': gnuplot wrote an incomplete PNG (" +
                             std::to_string(std::max<std::streamoff>(size, 0)) +
                             " bytes; is the disk full?)");
}

// Runs a gnuplot script whose output goes to a temporary PNG, renamed into place.
// The script starts with the PNG terminal, output, title and axis labels of `spec`.
void run_gnuplot(const std::string& path, const PlotSpec& spec, const std::filesystem::path& work,
                 const std::function<void(std::ostream&)>& script_body) {
  const std::string script = (work / "plot.gp").string();
  write_atomically(
      path,
      [&](const std::string& tmp) {
        {
          std::ofstream g(script);
          g << "set terminal pngcairo size " << spec.width << "," << spec.height
            << " enhanced font 'sans,11'\n";
          g << "set output " << quote(tmp) << "\n";
          g << "set title " << label(spec.title) << "\n";
          g << "set xlabel " << label(spec.xlabel) << "\nset ylabel " << label(spec.ylabel) << "\n";
          script_body(g);
        }
        const std::string cmd =
            "gnuplot " + quote(script) + " 2>" + quote((work / "err.txt").string());
        if (std::system(cmd.c_str()) != 0) {
          std::ifstream e(work / "err.txt");
          std::string line, msg;
          while (std::getline(e, line)) msg += line + " ";
          throw std::runtime_error("gnuplot failed: " + msg);
        }
      },
      [&](const std::string& tmp) { verify_png(tmp, path); });
}

// Folders of plots whose process is gone (a kill -9 skips every destructor).
void remove_stale_work_dirs(const std::filesystem::path& tmp) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("enflow-plot-", 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + 12, nullptr, 10);
    if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
}

// A private folder for gnuplot's script and data, removed on every way out of the plot call.
ScopedTempPath work_dir(const void* tag) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path();
  remove_stale_work_dirs(tmp);
  const fs::path work = tmp / ("enflow-plot-" + std::to_string(::getpid()) + "-" +
                               std::to_string(reinterpret_cast<uintptr_t>(tag)));
  fs::create_directories(work);
  return ScopedTempPath(work.string(), /*directory=*/true);
}
}  // namespace

namespace {

void check_heatmap(const Heatmap& map, const char* what) {
  if (map.values.empty() || map.values[0].empty()) {
    throw std::invalid_argument(std::string(what) + ": empty grid");
  }
  for (const auto& row : map.values) {
    if (row.size() != map.values[0].size()) {
      throw std::invalid_argument(std::string(what) + ": rows of different lengths");
    }
  }
}

// x y value per line, a blank line after each row: gnuplot's grid format, read by
// `with image` and by `splot` for contours.
void write_grid(const std::string& file, const Heatmap& map) {
  std::ofstream f(file);
  f.precision(10);
  const size_t R = map.values.size(), C = map.values[0].size();
  for (size_t r = 0; r < R; ++r) {
    const double y = R > 1 ? map.y0 + (map.y1 - map.y0) * r / (R - 1) : map.y0;
    for (size_t c = 0; c < C; ++c) {
      const double x = C > 1 ? map.x0 + (map.x1 - map.x0) * c / (C - 1) : map.x0;
      f << x << ' ' << y << ' ' << map.values[r][c] << '\n';
    }
    f << '\n';
  }
}

void require_gnuplot() {
  if (!gnuplot_available()) {
    throw std::runtime_error("plotting needs gnuplot (apt-get install gnuplot-nox)");
  }
}

}  // namespace

void plot_heatmap(const std::string& path, const PlotSpec& spec, const Heatmap& map) {
  require_gnuplot();
  check_heatmap(map, "heatmap");
  namespace fs = std::filesystem;
  const ScopedTempPath work_guard = work_dir(&map);
  const fs::path work(work_guard.path());
  const std::string data = (work / "map.txt").string();
  write_grid(data, map);
  run_gnuplot(path, spec, work, [&](std::ostream& g) {
    g << "set palette defined (0 '#313695', 0.5 '#ffffbf', 1 '#a50026')\n";
    g << "set view map\nunset key\n";
    g << "plot " << quote(data) << " using 1:2:3 with image\n";
  });
}

void plot_panels(const std::string& path, const PlotSpec& spec, const std::vector<Panel2d>& panels,
                 int columns) {
  require_gnuplot();
  if (panels.empty()) throw std::invalid_argument("plot_panels: no panels");
  if (columns < 1) throw std::invalid_argument("plot_panels: columns must be >= 1");
  for (const auto& p : panels) {
    if (!p.background.values.empty()) check_heatmap(p.background, "plot_panels background");
    for (const auto& c : p.contours) check_heatmap(c.field, "plot_panels contour field");
    for (const auto& s : p.points) {
      if (s.x.size() != s.y.size()) {
        throw std::invalid_argument("plot_panels: point set '" + s.name +
                                    "' has different numbers of x and y");
      }
    }
  }
  namespace fs = std::filesystem;
  const ScopedTempPath work_guard = work_dir(&panels);
  const fs::path work(work_guard.path());
  const int cols = std::min<int>(columns, static_cast<int>(panels.size()));
  const int rows = (static_cast<int>(panels.size()) + cols - 1) / cols;
  // Data files first: grids, contour lines (through gnuplot's table output) and points.
  auto file = [&](size_t panel, const std::string& what, size_t k) {
    return (work / (what + std::to_string(panel) + "_" + std::to_string(k) + ".txt")).string();
  };
  PlotSpec whole = spec;
  whole.width = spec.width * cols;
  whole.height = spec.height * rows;
  run_gnuplot(path, whole, work, [&](std::ostream& g) {
    for (size_t i = 0; i < panels.size(); ++i) {
      const auto& p = panels[i];
      if (!p.background.values.empty()) write_grid(file(i, "bg", 0), p.background);
      for (size_t k = 0; k < p.contours.size(); ++k) {
        const auto& c = p.contours[k];
        write_grid(file(i, "field", k), c.field);
        g << "set contour base\nunset surface\nset view map\n";
        if (c.levels.empty()) {
          g << "set cntrparam levels auto 8\n";
        } else {
          g << "set cntrparam levels discrete ";
          for (size_t l = 0; l < c.levels.size(); ++l) g << (l ? "," : "") << c.levels[l];
          g << "\n";
        }
        g << "set table " << quote(file(i, "contour", k)) << "\n";
        g << "splot " << quote(file(i, "field", k)) << " using 1:2:3\nunset table\n";
        g << "unset contour\nset surface\n";
      }
      for (size_t k = 0; k < p.points.size(); ++k) {
        std::ofstream f(file(i, "points", k));
        f.precision(10);
        for (size_t j = 0; j < p.points[k].x.size(); ++j)
          f << p.points[k].x[j] << ' ' << p.points[k].y[j] << '\n';
      }
    }
    g << "set multiplot layout " << rows << "," << cols << " title " << label(spec.title) << "\n";
    g << "set palette defined (0 '#313695', 0.5 '#ffffbf', 1 '#a50026')\n";
    g << "set key outside bottom horizontal\n";
    for (size_t i = 0; i < panels.size(); ++i) {
      const auto& p = panels[i];
      g << "set title " << label(p.title) << "\n";
      g << (p.equal_axes ? "set size ratio -1\n" : "set size noratio\n");
      const auto& bg = p.background;
      const bool has_bg = !bg.values.empty();
      if (p.xmin < p.xmax) {
        g << "set xrange [" << p.xmin << ":" << p.xmax << "]\n";
      } else if (has_bg) {
        g << "set xrange [" << std::min(bg.x0, bg.x1) << ":" << std::max(bg.x0, bg.x1) << "]\n";
      } else {
        g << "set autoscale x\n";
      }
      if (p.ymin < p.ymax) {
        g << "set yrange [" << p.ymin << ":" << p.ymax << "]\n";
      } else if (has_bg) {
        g << "set yrange [" << std::min(bg.y0, bg.y1) << ":" << std::max(bg.y0, bg.y1) << "]\n";
      } else {
        g << "set autoscale y\n";
      }
      g << "set cblabel " << label(p.cblabel) << "\n";
      std::vector<std::string> items;
      if (has_bg) items.push_back(quote(file(i, "bg", 0)) + " using 1:2:3 with image notitle");
      for (size_t k = 0; k < p.contours.size(); ++k) {
        const auto& c = p.contours[k];
        items.push_back(quote(file(i, "contour", k)) + " using 1:2 with lines lw 2 lc rgb " +
                        quote(c.color) + (c.dashed ? " dt 2" : "") +
                        (c.name.empty() ? " notitle" : " title " + label(c.name)));
      }
      for (size_t k = 0; k < p.points.size(); ++k) {
        const auto& s = p.points[k];
        if (s.x.empty()) continue;
        items.push_back(quote(file(i, "points", k)) + " using 1:2 with points pt 7 ps " +
                        std::to_string(s.size) + " lc rgb " + quote(s.color) +
                        (s.name.empty() ? " notitle" : " title " + label(s.name)));
      }
      if (items.empty()) {
        g << "set multiplot next\n";
        continue;
      }
      g << "plot ";
      for (size_t k = 0; k < items.size(); ++k) g << (k ? ", " : "") << items[k];
      g << "\n";
    }
    g << "unset multiplot\n";
  });
}

void plot_lines(const std::string& path, const PlotSpec& spec, const std::vector<Series>& series) {
  require_gnuplot();
  namespace fs = std::filesystem;
  const ScopedTempPath work_guard = work_dir(&series);
  const fs::path work(work_guard.path());
  const std::string data = (work / "data.txt").string();
  {
    std::ofstream f(data);
    f.precision(17);
    for (const auto& s : series) {
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
        f << s.x[i] << ' ' << s.y[i] << '\n';
      f << "\n\n";  // gnuplot data blocks, addressed by index
    }
  }
  run_gnuplot(path, spec, work, [&](std::ostream& g) {
    g << "set grid\nset key outside right\n";
    if (spec.logy) g << "set logscale y\nset format y '10^{%L}'\n";
    g << "plot ";
    for (size_t i = 0; i < series.size(); ++i) {
      g << (i ? ", " : "") << quote(data) << " index " << i << " with lines lw 2 title "
        << label(series[i].name);
    }
    g << "\n";
  });
}

}  // namespace enflow::io

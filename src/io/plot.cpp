#include "enflow/io/plot.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include "enflow/io/atomic_file.h"

namespace enflow::io {

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("''") : std::string(1, c);
  return q + "'";
}
}  // namespace

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

namespace {
// Runs a gnuplot script whose output goes to a temporary PNG, renamed into place.
// The script starts with the PNG terminal, output, title and axis labels of `spec`.
void run_gnuplot(const std::string& path, const PlotSpec& spec, const std::filesystem::path& work,
                 const std::function<void(std::ostream&)>& script_body) {
  const std::string script = (work / "plot.gp").string();
  write_atomically(path, [&](const std::string& tmp) {
    {
      std::ofstream g(script);
      g << "set terminal pngcairo size " << spec.width << "," << spec.height
        << " enhanced font 'sans,11'\n";
      g << "set output " << quote(tmp) << "\n";
      g << "set title " << quote(spec.title) << "\n";
      g << "set xlabel " << quote(spec.xlabel) << "\nset ylabel " << quote(spec.ylabel) << "\n";
      script_body(g);
    }
    const std::string cmd = "gnuplot " + quote(script) + " 2>" + quote((work / "err.txt").string());
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream e(work / "err.txt");
      std::string line, msg;
      while (std::getline(e, line)) msg += line + " ";
      throw std::runtime_error("gnuplot failed: " + msg);
    }
  });
}

std::filesystem::path work_dir(const void* tag) {
  namespace fs = std::filesystem;
  const fs::path work =
      fs::temp_directory_path() / ("enflow-plot-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(reinterpret_cast<uintptr_t>(tag)));
  fs::create_directories(work);
  return work;
}
}  // namespace

void plot_heatmap(const std::string& path, const PlotSpec& spec, const Heatmap& map) {
  if (!gnuplot_available()) {
    throw std::runtime_error("plotting needs gnuplot (apt-get install gnuplot-nox)");
  }
  if (map.values.empty() || map.values[0].empty()) throw std::invalid_argument("empty heatmap");
  namespace fs = std::filesystem;
  const auto work = work_dir(&map);
  const std::string data = (work / "map.txt").string();
  {
    std::ofstream f(data);
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
  run_gnuplot(path, spec, work, [&](std::ostream& g) {
    g << "set palette defined (0 '#313695', 0.5 '#ffffbf', 1 '#a50026')\n";
    g << "set view map\nunset key\n";
    g << "plot " << quote(data) << " using 1:2:3 with image\n";
  });
  std::error_code ec;
  fs::remove_all(work, ec);
}

void plot_lines(const std::string& path, const PlotSpec& spec, const std::vector<Series>& series) {
  if (!gnuplot_available()) {
    throw std::runtime_error("plotting needs gnuplot (apt-get install gnuplot-nox)");
  }
  namespace fs = std::filesystem;
  const auto work = work_dir(&series);
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
        << quote(series[i].name);
    }
    g << "\n";
  });
  std::error_code ec;
  fs::remove_all(work, ec);
}

}  // namespace enflow::io

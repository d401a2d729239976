#include "enflow/io/plot.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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

void plot_lines(const std::string& path, const PlotSpec& spec, const std::vector<Series>& series) {
  if (!gnuplot_available()) {
    throw std::runtime_error("plotting needs gnuplot (apt-get install gnuplot-nox)");
  }
  namespace fs = std::filesystem;
  const fs::path work =
      fs::temp_directory_path() / ("enflow-plot-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(reinterpret_cast<uintptr_t>(&series)));
  fs::create_directories(work);
  const std::string data = (work / "data.txt").string();
  const std::string script = (work / "plot.gp").string();
  {
    std::ofstream f(data);
    f.precision(17);
    for (const auto& s : series) {
      for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
        f << s.x[i] << ' ' << s.y[i] << '\n';
      f << "\n\n";  // gnuplot data blocks, addressed by index
    }
  }
  write_atomically(path, [&](const std::string& tmp) {
    {
      std::ofstream g(script);
      g << "set terminal pngcairo size " << spec.width << "," << spec.height
        << " enhanced font 'sans,11'\n";
      g << "set output " << quote(tmp) << "\n";
      g << "set title " << quote(spec.title) << "\n";
      g << "set xlabel " << quote(spec.xlabel) << "\nset ylabel " << quote(spec.ylabel) << "\n";
      g << "set grid\nset key outside right\n";
      if (spec.logy) g << "set logscale y\nset format y '10^{%L}'\n";
      g << "plot ";
      for (size_t i = 0; i < series.size(); ++i) {
        g << (i ? ", " : "") << quote(data) << " index " << i << " with lines lw 2 title "
          << quote(series[i].name);
      }
      g << "\n";
    }
    const std::string cmd = "gnuplot " + quote(script) + " 2>" + quote((work / "err.txt").string());
    if (std::system(cmd.c_str()) != 0) {
      std::ifstream e(work / "err.txt");
      std::string line, msg;
      while (std::getline(e, line)) msg += line + " ";
      throw std::runtime_error("gnuplot failed: " + msg);
    }
  });
  std::error_code ec;
  fs::remove_all(work, ec);
}

}  // namespace enflow::io

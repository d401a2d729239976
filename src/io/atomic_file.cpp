#include "enflow/io/atomic_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace enflow::io {

void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("cannot write '" + path + "': directory '" + dir.string() +
                             "' does not exist");
  }
  const std::string tmp =
      (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write '" + path + "': " + ec.message());
  }
}

void require_readable(const std::string& path) {
  std::ifstream f(path);
  if (!f.good())
    throw std::runtime_error("cannot read '" + path + "': no such file or not readable");
}

}  // namespace enflow::io

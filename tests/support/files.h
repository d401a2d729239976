// Scratch files for tests: an empty per-process directory, and a file's bytes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace enflow::testing {

/// An empty directory under the system temp dir, unique to this process and name.
inline std::filesystem::path fresh_dir(const std::string& name) {
  namespace fs = std::filesystem;
  auto d = fs::temp_directory_path() / ("enflow-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

/// The whole file as bytes.
inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

}  // namespace enflow::testing

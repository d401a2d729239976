#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "commands.h"
#include "enflow/io/atomic_file.h"

namespace enflow::cli {

namespace fs = std::filesystem;

const CLI::Validator kOutputFile(
    [](std::string& path) -> std::string {
      try {
        io::require_writable(path);
      } catch (const std::exception& e) {
        return e.what();
      }
      return "";
    },
    "FILE", "output file");

const CLI::Validator kOutputDir(
    [](std::string& path) -> std::string {
      if (path.empty()) return "the output directory is empty";
      std::error_code ec;
      fs::path p = fs::absolute(path, ec);
      if (fs::exists(p, ec) && !fs::is_directory(p, ec))
        return "cannot write into '" + path + "': it is not a directory";
      while (!fs::exists(p, ec) && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
      if (!fs::is_directory(p, ec))
        return "cannot create '" + path + "': '" + p.string() + "' is not a directory";
      if (::access(p.c_str(), W_OK | X_OK) != 0)
        return "cannot create '" + path + "': '" + p.string() + "' is not writable";
      return "";
    },
    "DIR", "output directory");

namespace {
CLI::Validator number_at_least(double lo, bool strict, const std::string& what) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(v))
          return "not a number: " + text;
        if (strict ? !(v > lo) : !(v >= lo)) return "must be " + what + ", got " + text;
        return "";
      },
      what);
}
}  // namespace

const CLI::Validator kPositive = number_at_least(0.0, true, "positive");
const CLI::Validator kNonNegative = number_at_least(0.0, false, ">= 0");

}  // namespace enflow::cli

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "enflow/io/atomic_file.h"
#include "enflow/io/plot.h"
#include "support/files.h"

namespace enflow::io {
namespace {

namespace fs = std::filesystem;

using enflow::testing::fresh_dir;

TEST(AtomicFile, FailedWriteKeepsTheOldFileAndLeavesNoTemporary) {
  auto dir = fresh_dir("atomic");
  auto target = dir / "out.txt";
  std::ofstream(target) << "good";
  EXPECT_THROW(write_atomically(target.string(),
                                [](const std::string& tmp) {
                                  std::ofstream(tmp) << "half";
                                  throw std::runtime_error("interrupted");
                                }),
               std::runtime_error);
  EXPECT_EQ(testing::file_bytes(target), "good");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  write_atomically(target.string(), [](const std::string& tmp) { std::ofstream(tmp) << "new"; });
  EXPECT_EQ(testing::file_bytes(target), "new");
  fs::remove_all(dir);
}

TEST(AtomicFile, MissingDirectoryAndFileAreClearErrors) {
  EXPECT_THROW(write_atomically("/nonexistent-dir/x.txt", [](const std::string&) {}),
               std::runtime_error);
  EXPECT_THROW(require_readable("/nonexistent-dir/x.txt"), std::runtime_error);
}

TEST(Plot, WritesAPng) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  auto dir = fresh_dir("plot");
  auto png = dir / "p.png";
  plot_lines(png.string(), {"test", "x", "y", true}, {{"a", {1, 2, 3}, {1, 10, 100}}});
  auto bytes = testing::file_bytes(png);
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace enflow::io

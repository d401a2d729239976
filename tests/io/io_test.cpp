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

TEST(Plot, PanelsWithColourMapContoursAndPoints) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot not installed";
  auto dir = fresh_dir("plot_panels");
  Heatmap field;
  field.x0 = field.y0 = -1;
  field.x1 = field.y1 = 1;
  for (int r = 0; r < 21; ++r) {
    field.values.emplace_back();
    for (int c = 0; c < 21; ++c) {
      const double x = -1 + 0.1 * c, y = -1 + 0.1 * r;
      field.values.back().push_back(x * x + y * y);
    }
  }
  Panel2d a;
  a.title = "field";
  a.background = field;
  a.contours.push_back({"r = 0.5", field, {0.25}, "black", false});
  a.points.push_back({"samples", {0.0, 0.5}, {0.0, -0.5}});
  Panel2d b;
  b.title = "points only";
  b.equal_axes = true;
  b.points.push_back({"", {1, 2, 3}, {3, 2, 1}, "red", 1.0});
  auto png = dir / "panels.png";
  plot_panels(png.string(), {"two panels", "x", "y"}, {a, b}, 2);
  EXPECT_EQ(testing::file_bytes(png).substr(1, 3), "PNG");
  // Bad input is refused before anything is written.
  Panel2d bad;
  bad.points.push_back({"", {1, 2}, {1}});
  EXPECT_THROW(plot_panels((dir / "bad.png").string(), {"", "", ""}, {bad}), std::invalid_argument);
  EXPECT_THROW(plot_panels((dir / "none.png").string(), {"", "", ""}, {}), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace enflow::io

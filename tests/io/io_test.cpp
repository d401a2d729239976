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

TEST(AtomicFile, BytesAndTextAreWrittenWholeAndAFailedCheckKeepsTheOldFile) {
  auto dir = fresh_dir("atomic-bytes");
  const auto target = (dir / "out.csv").string();
  write_bytes_atomically(target, std::string("a,b\n1,2\n"));
  EXPECT_EQ(testing::file_bytes(target), "a,b\n1,2\n");
  write_text_atomically(target, [](std::ostream& s) { s << "x\n" << 3.5 << "\n"; });
  EXPECT_EQ(testing::file_bytes(target), "x\n3.5\n");
  // A verifier that finds the new file incomplete (e.g. a truncated PNG) stops the rename.
  EXPECT_THROW(write_atomically(
                   target, [](const std::string& tmp) { std::ofstream(tmp) << "trunc"; },
                   [](const std::string&) { throw std::runtime_error("incomplete"); }),
               std::runtime_error);
  EXPECT_EQ(testing::file_bytes(target), "x\n3.5\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, TemporariesOfDeadProcessesAreRemovedByTheNextWrite) {
  auto dir = fresh_dir("atomic-stale");
  // pid_max is at most 2^22 on Linux: this pid cannot be running.
  const auto stale = dir / ".out.txt.tmp.4194399";
  const auto other = dir / ".other.txt.tmp.4194399";  // another target's: not ours to remove
  std::ofstream(stale) << "left by kill -9";
  std::ofstream(other) << "x";
  write_bytes_atomically((dir / "out.txt").string(), "new");
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(other));
  fs::remove_all(dir);
}

TEST(AtomicFile, OutputPathsAreCheckedBeforeWork) {
  auto dir = fresh_dir("atomic-writable");
  std::ofstream(dir / "file") << "x";
  auto error_of = [](const std::string& p) {
    try {
      require_writable(p);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of((dir / "ok.h5").string()), "");
  EXPECT_NE(error_of((dir / "missing" / "x.h5").string()).find("does not exist"),
            std::string::npos);
  EXPECT_NE(error_of((dir / "file" / "x.h5").string()).find("not a directory"), std::string::npos);
  EXPECT_NE(error_of(dir.string()).find("is a directory"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  fs::remove_all(dir);
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

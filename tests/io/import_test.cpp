#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "enflow/io/dataset.h"
#include "enflow/io/import.h"
#include "enflow/learn/trainer.h"
#include "support/errors.h"
#include "support/files.h"

namespace enflow::io {
namespace {

namespace fs = std::filesystem;

using enflow::testing::fresh_dir;

// These tests expect runtime errors (files), not argument errors.
std::string error_of(const std::function<void()>& f) {
  return testing::error_of<std::runtime_error>(f);
}

/// Writes a float64 C-order .npy file.
void write_npy(const fs::path& p, const torch::Tensor& a) {
  std::string shape = "(";
  for (auto s : a.sizes()) shape += std::to_string(s) + ", ";
  shape += ")";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream f(p, std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  f.put(static_cast<char>(len & 0xff));
  f.put(static_cast<char>(len >> 8));
  f << header;
  auto c = a.to(torch::kFloat64).contiguous();
  f.write(static_cast<const char*>(c.data_ptr()), c.numel() * 8);
}

TEST(Import, TextWithSeriesTimeAndGapsKeepsTheTimeStamps) {
  auto dir = fresh_dir("import-text");
  auto p = dir / "pend.txt";
  {
    std::ofstream f(p);
    f << "%o v\n";
    // Two trials of four rows; trial 0 has a gap between t = 0.5 and t = 1.5.
    const double t0[] = {0.0, 0.25, 0.5, 1.5}, t1[] = {0.0, 0.25, 0.5, 0.75};
    for (int k = 0; k < 4; ++k) f << "0 " << t0[k] << " " << 0.1 * k << " " << -0.2 * k << "\n";
    for (int k = 0; k < 4; ++k) f << "1 " << t1[k] << " " << 1.0 + k << " " << 2.0 * k << "\n";
  }
  ImportOptions o;
  o.columns = {"series", "t", "q", "p"};
  auto d = import_trajectories(p.string(), o);
  EXPECT_EQ(d.states.sizes(), (std::vector<int64_t>{2, 4, 2}));
  EXPECT_EQ(d.t.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(d.dt, 0.0);
  EXPECT_DOUBLE_EQ(d.t[0][3].item<double>(), 1.5);
  EXPECT_DOUBLE_EQ(d.states[1][2][0].item<double>(), 3.0);
  EXPECT_DOUBLE_EQ(d.states[0][3][1].item<double>(), -0.6);
  EXPECT_EQ(d.train, (std::vector<int64_t>{0}));
  EXPECT_EQ(d.test, (std::vector<int64_t>{1}));
  // Imported data say so (metrics then skip the system's exact du/dt, which is not theirs).
  EXPECT_EQ(d.source, "import pend.txt");
  // Saved and loaded, the gap and the provenance are still there.
  save_dataset((dir / "pend.h5").string(), d);
  const auto back = load_dataset((dir / "pend.h5").string());
  EXPECT_TRUE(torch::equal(back.t, d.t));
  EXPECT_EQ(back.source, "import pend.txt");
  // CSV with a header row and no t column: uniform t from dt.
  auto csv = dir / "x.csv";
  std::ofstream(csv) << "q,p\n1,2\n3,4\n5,6\n";
  ImportOptions c;
  c.dt = 0.5;
  auto e = import_trajectories(csv.string(), c);
  EXPECT_EQ(e.states.sizes(), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_TRUE(torch::equal(e.t, torch::tensor({0.0, 0.5, 1.0}, torch::kFloat64)));
  EXPECT_EQ(e.dt, 0.5);
  fs::remove_all(dir);
}

TEST(Import, MalformedInputGivesOneLineErrors) {
  auto dir = fresh_dir("import-bad");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  auto has = [&](const std::string& path, const std::string& what, const ImportOptions& o = {}) {
    auto msg = error_of([&] { import_trajectories(path, o); });
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  };
  has((dir / "none.txt").string(), "no such file");
  has(write("ragged.txt", "1 2\n3 4 5\n"), "line 2: 3 columns, expected 2");
  has(write("word.txt", "1 2\n3 x\n"), "line 2: not a number");
  has(write("nan.txt", "1 2\n3 nan\n"), "NaN");
  has(write("empty.txt", "% nothing\n"), "no data rows");
  has(write("x.json", "{}"), "unknown file type");
  ImportOptions o;
  o.columns = {"series", "t", "q"};
  has(write("cols.txt", "0 0 1 2\n0 1 1 2\n"), "4 columns but --columns names 3", o);
  o.columns = {"series", "q"};
  has(write("lens.txt", "0 1\n0 2\n1 3\n"), "series 1 has 1 time point", o);
  o.series = {4};
  has(write("which.txt", "0 1\n0 2\n1 3\n1 4\n"), "--series 4: no such series (the file has 0, 1)",
      o);
  o.series.clear();
  o.max_gap = 1;
  has(write("notime.txt", "0 1\n0 2\n"), "--max-gap needs time stamps", o);
  o.columns = {"t", "q"};
  has(write("back.txt", "0 1\n1 2\n0.5 3\n"), "time stamps must increase", o);
  fs::remove_all(dir);
}

TEST(Import, AHeaderIsALineOfNamesOnlyAndATypoInTheFirstRowIsAnError) {
  auto dir = fresh_dir("import-header");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  };
  auto rows = [&](const std::string& path) { return import_trajectories(path, {}).states.size(1); };
  EXPECT_EQ(rows(write("names.txt", "q p\n1 2\n3 4\n5 6\n")), 3);
  EXPECT_EQ(rows(write("plain.txt", "1 2\n3 4\n5 6\n")), 3);
  // A UTF-8 byte-order mark is not a header: no row is lost.
  EXPECT_EQ(rows(write("bom.txt",
                       "\xEF\xBB\xBF"
                       "1 2\n3 4\n5 6\n")),
            3);
  EXPECT_EQ(rows(write("bom-names.csv",
                       "\xEF\xBB\xBF"
                       "q,p\n1,2\n3,4\n")),
            2);
  // One bad token in a row of numbers is a typo, on the first line as on any other.
  auto msg = error_of([&] { rows(write("typo.txt", "1.0O 2\n3 4\n5 6\n")); });
  EXPECT_NE(msg.find("line 1: not a number: '1.0O'"), std::string::npos) << msg;
  msg = error_of([&] { rows(write("typo-after-header.txt", "q p\n1 2x\n3 4\n")); });
  EXPECT_NE(msg.find("line 2: not a number: '2x'"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(Import, ANpyHeaderThatAsksForMoreThanTheFileHoldsIsRefusedBeforeAllocating) {
  auto dir = fresh_dir("import-npy-huge");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 4), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  {
    std::ofstream f(dir / "huge.npy", std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    f.put(static_cast<char>(header.size() & 0xff));
    f.put(static_cast<char>(header.size() >> 8));
    f << header << std::string(64, '\0');
  }
  const auto msg = error_of([&] { import_trajectories((dir / "huge.npy").string(), {}); });
  EXPECT_NE(msg.find("shorter than its header says"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(Import, NpyArrays) {
  auto dir = fresh_dir("import-npy");
  auto a = torch::randn({3, 5, 2}, torch::kFloat64);
  write_npy(dir / "a.npy", a);
  ImportOptions o;
  o.dt = 0.1;
  auto d = import_trajectories((dir / "a.npy").string(), o);
  EXPECT_TRUE(torch::equal(d.states, a));
  EXPECT_EQ(d.dt, 0.1);
  EXPECT_EQ(d.train, (std::vector<int64_t>{0, 1}));
  auto b = torch::randn({6, 3}, torch::kFloat64);
  b.select(1, 0).copy_(torch::arange(6, torch::kFloat64) * 0.3);
  write_npy(dir / "b.npy", b);
  o.columns = {"t", "q", "p"};
  auto e = import_trajectories((dir / "b.npy").string(), o);
  EXPECT_TRUE(torch::equal(e.states[0], b.narrow(1, 1, 2)));
  EXPECT_NEAR(e.dt, 0.3, 1e-12);  // uniform time stamps become t [T] with their step
  EXPECT_EQ(e.t.dim(), 1);
  write_npy(dir / "c.npy", torch::randn({2, 2, 2, 2}, torch::kFloat64));
  EXPECT_NE(error_of([&] { import_trajectories((dir / "c.npy").string()); }).find("rank 4"),
            std::string::npos);
  std::ofstream(dir / "d.npy") << "garbage";
  EXPECT_NE(error_of([&] { import_trajectories((dir / "d.npy").string()); }).find("not a .npy"),
            std::string::npos);
  fs::remove_all(dir);
}

// Trials of different lengths, one with a gap (issue 28): kept whole, picked by --series,
// split at gaps by --max-gap; the padding never becomes data.
TEST(Import, RaggedSeriesGapsAndSelection) {
  auto dir = fresh_dir("import-ragged");
  auto p = dir / "trials.csv";
  {
    std::ofstream f(p);
    f << "trial,t,q,p\n";
    auto rows = [&](int id, int n, double gap_after, int gap_row) {
      for (int k = 0; k < n; ++k) {
        const double t = 0.1 * k + (k >= gap_row ? gap_after : 0.0);
        f << id << "," << t << "," << id + 0.01 * k << "," << -0.02 * k << "\n";
      }
    };
    rows(7, 6, 0.0, 99);  // 6 rows, uniform
    rows(3, 9, 1.0, 5);   // 9 rows, a jump of 1.0 after its fifth row
    rows(5, 4, 0.0, 99);  // 4 rows
  }
  ImportOptions o;
  o.columns = {"series", "t", "q", "p"};
  auto d = import_trajectories(p.string(), o);
  ASSERT_EQ(d.states.sizes(), (std::vector<int64_t>{3, 9, 2}));
  EXPECT_EQ(d.lengths, (std::vector<int64_t>{6, 9, 4}));
  EXPECT_EQ(d.dt, 0.0);  // the gap makes the steps irregular
  ASSERT_EQ(d.t.dim(), 2);
  // Padding repeats each series' last row: series 7 (6 rows) beyond row 5.
  EXPECT_TRUE(torch::equal(d.states[0][8], d.states[0][5]));
  EXPECT_DOUBLE_EQ(d.states[0][5][0].item<double>(), 7.05);
  EXPECT_EQ(series_states(d, 2).size(0), 4);
  // Pairs: every consecutive pair of each series once, none into the padding.
  const auto pairs = learn::make_pairs(d, {0, 1, 2}, torch::kFloat64, torch::kCPU);
  EXPECT_EQ(pairs.u0.size(0), (6 - 1) + (9 - 1) + (4 - 1));
  EXPECT_GT(pairs.dt.min().item<double>(), 0.0);
  EXPECT_NEAR(pairs.dt.max().item<double>(), 1.1, 1e-12);  // the gap of trial 3, one pair
  save_dataset((dir / "r.h5").string(), d);
  const auto back = load_dataset((dir / "r.h5").string());
  EXPECT_EQ(back.lengths, d.lengths);
  EXPECT_TRUE(torch::equal(back.states, d.states));

  // --series 3,7 keeps those two, in that order.
  o.series = {3, 7};
  auto two = import_trajectories(p.string(), o);
  EXPECT_EQ(two.lengths, (std::vector<int64_t>{9, 6}));
  EXPECT_DOUBLE_EQ(two.states[0][0][0].item<double>(), 3.0);

  // --max-gap 0.5 splits trial 3 at its jump: the pieces are uniform again (dt = 0.1).
  o.series.clear();
  o.max_gap = 0.5;
  auto split = import_trajectories(p.string(), o);
  EXPECT_EQ(split.lengths, (std::vector<int64_t>{6, 5, 4, 4}));
  EXPECT_NEAR(split.dt, 0.1, 1e-12);
  EXPECT_NEAR(series_times(split, 2)[0].item<double>(), 1.5, 1e-12);  // 0.5 + the jump
  for (int64_t s = 0; s < 4; ++s) {
    auto t = series_times(split, s);
    auto h = t.narrow(0, 1, t.size(0) - 1) - t.narrow(0, 0, t.size(0) - 1);
    EXPECT_LT((h - 0.1).abs().max().item<double>(), 1e-12);
  }
  // Equal lengths after selection: no lengths stored, t shared as [T].
  o.max_gap = 0;
  o.series = {7};
  auto one = import_trajectories(p.string(), o);
  EXPECT_TRUE(one.lengths.empty());
  EXPECT_EQ(one.t.dim(), 1);
  EXPECT_NEAR(one.dt, 0.1, 1e-12);
  // A gap that isolates single points drops them.
  std::ofstream(dir / "iso.txt") << "0 1\n0.1 2\n5 3\n9 4\n9.1 5\n9.2 6\n";
  ImportOptions iso;
  iso.columns = {"t", "q"};
  iso.max_gap = 1.0;
  auto i = import_trajectories((dir / "iso.txt").string(), iso);
  EXPECT_EQ(i.lengths, (std::vector<int64_t>{2, 3}));
  fs::remove_all(dir);
}

TEST(Import, ChunksCutOneRecordIntoASplitInTime) {
  auto dir = fresh_dir("import-chunks");
  // One irregular record of 11 rows (a gap after row 4): 3 chunks of 3, the last 2 rows dropped.
  {
    std::ofstream f(dir / "r.txt");
    for (int k = 0; k < 11; ++k) f << "0 " << (k < 5 ? 0.5 * k : 0.5 * k + 1.0) << " " << k << "\n";
  }
  ImportOptions o;
  o.columns = {"series", "t", "q"};
  o.chunks = 3;
  o.train_fraction = 2.0 / 3.0;
  auto d = import_trajectories((dir / "r.txt").string(), o);
  ASSERT_EQ(d.states.sizes(), (std::vector<int64_t>{3, 3, 1}));
  ASSERT_EQ(d.t.sizes(), (std::vector<int64_t>{3, 3}));
  for (int c = 0; c < 3; ++c) {
    for (int j = 0; j < 3; ++j) {
      const int k = 3 * c + j;  // the row of the record, in order, with its own time stamp
      EXPECT_EQ(d.states[c][j][0].item<double>(), k);
      EXPECT_EQ(d.t[c][j].item<double>(), k < 5 ? 0.5 * k : 0.5 * k + 1.0);
    }
  }
  EXPECT_EQ(d.train, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(d.test, (std::vector<int64_t>{2}));
  // Uniform stamps [T] become [S, T] per chunk and keep their step.
  std::ofstream(dir / "u.txt") << "1\n2\n3\n4\n";
  ImportOptions u;
  u.dt = 0.25;
  u.chunks = 2;
  auto e = import_trajectories((dir / "u.txt").string(), u);
  EXPECT_EQ(e.dt, 0.25);
  EXPECT_TRUE(
      torch::equal(e.t, torch::tensor({0.0, 0.25, 0.5, 0.75}, torch::kFloat64).view({2, 2})));
  save_dataset((dir / "u.h5").string(), e);  // a valid dataset
  u.chunks = 3;
  EXPECT_NE(error_of([&] {
              import_trajectories((dir / "u.txt").string(), u);
            }).find("cannot cut 4 time points into 3 chunks"),
            std::string::npos);
  u.chunks = 0;
  EXPECT_NE(error_of([&] {
              import_trajectories((dir / "u.txt").string(), u);
            }).find("chunks must be >= 1"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(Import, RealPendulumOfSchmidtAndLipson) {
  // ../shared beside the repository (as CI has it); __FILE__ may be relative to the build.
  const auto file = fs::path(ENFLOW_SOURCE_DIR) / "../shared/data/schmidt_lipson/real_pend_h_1.txt";
  if (!fs::exists(file)) GTEST_SKIP() << "no " << file;
  ImportOptions o;
  o.columns = {"series", "t", "q", "p"};
  o.system = "pendulum";
  auto d = import_trajectories(file.string(), o);
  EXPECT_EQ(d.states.sizes(), (std::vector<int64_t>{1, 556, 2}));
  EXPECT_EQ(d.dt, 0.0);
  auto steps = d.t[0].narrow(0, 1, 555) - d.t[0].narrow(0, 0, 555);
  EXPECT_NEAR(steps.median().item<double>(), 1.0 / 6.0, 1e-9);
  EXPECT_GT(steps.max().item<double>(), 1.5 / 6.0);  // the gaps are kept
  EXPECT_GT(steps.min().item<double>(), 0.0);
  EXPECT_EQ(d.train, (std::vector<int64_t>{0}));
  // The DGNet protocol's split in time: 5 chunks of 111 points, 4 for training.
  o.chunks = 5;
  auto c = import_trajectories(file.string(), o);
  EXPECT_EQ(c.states.sizes(), (std::vector<int64_t>{5, 111, 2}));
  EXPECT_TRUE(torch::equal(c.states[4], d.states[0].narrow(0, 444, 111)));
  EXPECT_EQ(c.train, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(c.test, (std::vector<int64_t>{4}));
}

/// The command line, when the enflow binary sits where the build puts it (beside tests/).
fs::path enflow_binary() {
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto bin = self.parent_path().parent_path() / "enflow";
  return fs::exists(bin) ? bin : fs::path();
}

int run(const std::string& cmd, const fs::path& err) {
  const int rc = std::system((cmd + " >/dev/null 2>" + err.string()).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int lines(const fs::path& p) {
  std::ifstream f(p);
  std::string l;
  int n = 0;
  while (std::getline(f, l)) n += !l.empty();
  return n;
}

TEST(ImportCli, GenerateInspectImportAndTheirErrors) {
  const auto bin = enflow_binary();
  if (bin.empty()) GTEST_SKIP() << "enflow binary not beside the test binary";
  auto dir = fresh_dir("cli");
  const auto err = dir / "err.txt";
  const std::string b = bin.string() + " ";
  const auto out = (dir / "kdv.h5").string();
  EXPECT_EQ(run(b + "generate kdv --series 2 --steps 3 --seed 1 -o " + out, err), 0);
  auto d = load_dataset(out);
  EXPECT_EQ(d.states.sizes(), (std::vector<int64_t>{2, 4, 50}));
  EXPECT_EQ(d.seed, 1u);
  EXPECT_EQ(run(b + "inspect " + out + " --json", err), 0);
  std::ofstream(dir / "x.txt") << "0 0 1 2\n0 0.5 1 2\n0 2 1 2\n";
  EXPECT_EQ(run(b + "import " + (dir / "x.txt").string() + " --columns series,t,q,p -o " +
                    (dir / "x.h5").string() + " --system pendulum",
                err),
            0);
  EXPECT_EQ(load_dataset((dir / "x.h5").string()).dt, 0.0);
  // Errors: non-zero exit, at most a line or two on stderr, no file left behind.
  for (const std::string& cmd : std::vector<std::string>{
           "generate kdvv -o " + (dir / "e.h5").string(),
           "generate kdv --param alhpa=1 -o " + (dir / "e.h5").string(),
           "generate kdv --dt nan --steps 2 --series 1 -o " + (dir / "e.h5").string(),
           "generate kdv --bogus -o " + (dir / "e.h5").string(),
           "inspect " + (dir / "nope.h5").string(),
           "import " + (dir / "nope.txt").string() + " -o " + (dir / "e.h5").string(),
           "import " + (dir / "x.txt").string() + " --system kdv --columns series,t,q,p -o " +
               (dir / "e.h5").string()}) {
    EXPECT_NE(run(b + cmd, err), 0) << cmd;
    EXPECT_LE(lines(err), 2) << cmd;
    EXPECT_FALSE(fs::exists(dir / "e.h5")) << cmd;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace enflow::io

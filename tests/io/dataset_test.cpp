#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "enflow/io/dataset.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"
#include "support/errors.h"
#include "support/files.h"

namespace enflow::io {
namespace {

namespace fs = std::filesystem;

using enflow::testing::fresh_dir;

Dataset small(bool irregular) {
  Dataset d;
  d.states = torch::randn({4, 7, 3}, torch::kFloat64);
  d.t = irregular ? torch::rand({4, 7}, torch::kFloat64).cumsum(1)
                  : torch::arange(7, torch::kFloat64) * 0.25;
  d.system = "kdv";
  d.params = {{"alpha", -6.0}, {"dx", 0.2}};
  d.dt = irregular ? 0.0 : 0.25;
  d.noise = 0.1;
  d.seed = 12345678901234ULL;
  d.train = {0, 1, 2};
  d.test = {3};
  return d;
}

// These tests expect runtime errors (files), not argument errors.
std::string error_of(const std::function<void()>& f) {
  return testing::error_of<std::runtime_error>(f);
}

/// Debian's python3-h5py lives under /usr/bin/python3.
bool have_h5py() { return std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0; }

TEST(Dataset, RoundTripKeepsEverything) {
  auto dir = fresh_dir("ds-roundtrip");
  for (bool irregular : {false, true}) {
    auto d = small(irregular);
    auto path = (dir / "a.h5").string();
    save_dataset(path, d);
    auto r = load_dataset(path);
    EXPECT_TRUE(torch::equal(r.states, d.states));
    EXPECT_TRUE(torch::equal(r.t, d.t));
    EXPECT_EQ(r.system, d.system);
    EXPECT_EQ(r.params, d.params);
    EXPECT_EQ(r.dt, d.dt);
    EXPECT_EQ(r.noise, d.noise);
    EXPECT_EQ(r.seed, d.seed);
    EXPECT_EQ(r.train, d.train);
    EXPECT_EQ(r.test, d.test);
  }
  // An empty test split survives too.
  auto d = small(false);
  d.test.clear();
  save_dataset((dir / "b.h5").string(), d);
  EXPECT_TRUE(load_dataset((dir / "b.h5").string()).test.empty());
  fs::remove_all(dir);
}

TEST(Dataset, BadDataIsRejectedAndWritesNothing) {
  auto dir = fresh_dir("ds-bad");
  auto path = (dir / "bad.h5").string();
  auto d = small(false);
  d.states.index_put_({1, 2, 0}, std::nan(""));
  EXPECT_NE(error_of([&] { save_dataset(path, d); }).find("NaN"), std::string::npos);
  d = small(false);
  d.states = d.states.reshape({28, 3});
  EXPECT_NE(error_of([&] { save_dataset(path, d); }).find("rank 2"), std::string::npos);
  d = small(false);
  d.t = torch::arange(6, torch::kFloat64);
  EXPECT_NE(error_of([&] { save_dataset(path, d); }).find("t must be"), std::string::npos);
  d = small(false);
  d.test = {4};
  EXPECT_NE(error_of([&] { save_dataset(path, d); }).find("out of range"), std::string::npos);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 0);
  fs::remove_all(dir);
}

TEST(Dataset, MissingOrForeignFilesGiveOneLineMessages) {
  auto dir = fresh_dir("ds-missing");
  auto missing = (dir / "nope.h5").string();
  auto msg = error_of([&] { load_dataset(missing); });
  EXPECT_NE(msg.find("nope.h5"), std::string::npos);
  EXPECT_NE(msg.find("no such file"), std::string::npos);
  auto text = dir / "text.h5";
  std::ofstream(text) << "not hdf5\n";
  msg = error_of([&] { load_dataset(text.string()); });
  EXPECT_NE(msg.find("not an HDF5 file"), std::string::npos);
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  fs::remove_all(dir);
}

TEST(Dataset, SameSeedSameFileByteForByte) {
  auto dir = fresh_dir("ds-bytes");
  auto sys = systems::make_system("kdv");
  auto p = systems::default_protocol("kdv");
  p.series = 2;
  p.steps = 3;
  save_dataset((dir / "a.h5").string(), systems::generate_dataset(*sys, p, 5));
  save_dataset((dir / "b.h5").string(), systems::generate_dataset(*sys, p, 5));
  save_dataset((dir / "c.h5").string(), systems::generate_dataset(*sys, p, 6));
  EXPECT_EQ(testing::file_bytes(dir / "a.h5"), testing::file_bytes(dir / "b.h5"));
  EXPECT_NE(testing::file_bytes(dir / "a.h5"), testing::file_bytes(dir / "c.h5"));
  auto r = load_dataset((dir / "a.h5").string());
  EXPECT_EQ(r.states.sizes(), (std::vector<int64_t>{2, 4, 50}));
  EXPECT_EQ(r.params.at("alpha"), -6.0);
  EXPECT_EQ(r.system, "kdv");
  fs::remove_all(dir);
}

TEST(Dataset, ReadableByH5pyAndH5pyFilesAreValidated) {
  if (!have_h5py()) GTEST_SKIP() << "/usr/bin/python3 with h5py not available";
  auto dir = fresh_dir("ds-h5py");
  auto d = small(true);
  auto path = (dir / "a.h5").string();
  save_dataset(path, d);
  const std::string check =
      "/usr/bin/python3 -c \"import h5py, sys; f = h5py.File('" + path +
      "', 'r'); s = f['states']; "
      "assert s.shape == (4, 7, 3) and s.dtype == 'float64'; assert f['t'].shape == (4, 7); "
      "assert list(f['train'][:]) == [0, 1, 2] and list(f['test'][:]) == [3]; "
      "a = f.attrs; assert a['system'] in ('kdv', b'kdv'); assert a['param_alpha'] == -6.0; "
      "assert int(a['seed']) == 12345678901234 and a['dt'] == 0.0 and a['noise'] == 0.1; "
      "assert abs(s[1, 2, 0] - " +
      std::to_string(d.states[1][2][0].item<double>()) + ") < 1e-5\"";
  EXPECT_EQ(std::system(check.c_str()), 0);
  // A file written by h5py with a NaN and one with the wrong rank are rejected on load.
  auto nan_path = (dir / "nan.h5").string(), rank_path = (dir / "rank.h5").string(),
       nostates = (dir / "nostates.h5").string();
  const std::string make =
      "/usr/bin/python3 -c \"import h5py, numpy as np; "
      "f = h5py.File('" +
      nan_path +
      "', 'w'); x = np.zeros((2, 3, 1)); x[1, 1, 0] = np.nan; "
      "f['states'] = x; f['t'] = np.arange(3.0); f.close(); "
      "f = h5py.File('" +
      rank_path +
      "', 'w'); f['states'] = np.zeros((3, 2)); "
      "f['t'] = np.arange(3.0); f.close(); "
      "f = h5py.File('" +
      nostates + "', 'w'); f['t'] = np.arange(3.0); f.close()\"";
  ASSERT_EQ(std::system(make.c_str()), 0);
  EXPECT_NE(error_of([&] { load_dataset(nan_path); }).find("NaN"), std::string::npos);
  EXPECT_NE(error_of([&] { load_dataset(rank_path); }).find("rank 2"), std::string::npos);
  EXPECT_NE(error_of([&] { load_dataset(nostates); }).find("missing /states"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace enflow::io

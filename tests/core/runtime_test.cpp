#include "enflow/runtime.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

// Restores LibTorch's and OpenBLAS's thread counts and ENFLOW_BLAS_THREADS after a test.
class RuntimeThreads : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("ENFLOW_BLAS_THREADS");
    enflow::init_threads(torch_threads_);
  }
  int torch_threads_ = at::get_num_threads();
};

bool user_set_blas_threads() {
  return std::getenv("OPENBLAS_NUM_THREADS") || std::getenv("GOTO_NUM_THREADS");
}

TEST_F(RuntimeThreads, SetsOpenBlasThreadCount) {
  if (enflow::blas_threads() == 0) GTEST_SKIP() << "the loaded BLAS is not OpenBLAS";
  EXPECT_EQ(enflow::set_blas_threads(2), 2);
  EXPECT_EQ(enflow::set_blas_threads(1), 1);
  EXPECT_EQ(enflow::set_blas_threads(0), 1) << "a non-positive count must leave it unchanged";
}

TEST_F(RuntimeThreads, InitThreadsGivesTheBlasItsDefaultUnlessTold) {
  if (enflow::blas_threads() == 0) GTEST_SKIP() << "the loaded BLAS is not OpenBLAS";
  if (user_set_blas_threads()) GTEST_SKIP() << "OPENBLAS_NUM_THREADS is set by the user";
  // The OpenMP build shares LibTorch's threads; the pthread build runs on the caller's.
  const int shared = enflow::blas_uses_openmp() ? 2 : 1;
  enflow::set_blas_threads(3 - shared);
  EXPECT_EQ(enflow::init_threads(2), 2);
  EXPECT_EQ(enflow::blas_threads(), shared);
  setenv("ENFLOW_BLAS_THREADS", "2", 1);
  enflow::init_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(enflow::blas_threads(), 2);
}

TEST_F(RuntimeThreads, TheBlasSettingLeavesLibTorchsThreadCount) {
  if (enflow::blas_threads() == 0) GTEST_SKIP() << "the loaded BLAS is not OpenBLAS";
  // The OpenMP build's setter also sets OpenMP's default team size, which is LibTorch's.
  setenv("ENFLOW_BLAS_THREADS", "1", 1);
  EXPECT_EQ(enflow::init_threads(2), 2);
  EXPECT_EQ(at::get_num_threads(), 2);
}

TEST_F(RuntimeThreads, InfoReportsTheSettingsInEffect) {
  EXPECT_EQ(enflow::init_threads(1), 1);
  const auto r = enflow::runtime_info();
  EXPECT_EQ(r.enflow_version, enflow::version());
  EXPECT_FALSE(r.libtorch_version.empty());
  EXPECT_GT(r.cores, 0);
  EXPECT_EQ(r.threads, 1);
  EXPECT_EQ(r.blas_threads, enflow::blas_threads());
  if (enflow::blas_threads() == 0) {
    EXPECT_TRUE(r.blas.empty());
    return;
  }
  EXPECT_EQ(r.blas, "OpenBLAS");
  EXPECT_EQ(r.blas_threading == "openmp", enflow::blas_uses_openmp());
  EXPECT_TRUE(std::filesystem::exists(r.blas_library)) << r.blas_library;
#ifdef ENFLOW_TEST_EXPECTS_OPENMP_BLAS
  EXPECT_NE(r.blas_library.find("openblas-openmp"), std::string::npos) << r.blas_library;
#endif
}

#ifdef ENFLOW_TEST_EXPECTS_OPENMP_BLAS
// CMake found libopenblas0-openmp, so the executables' DT_RPATH must have loaded it in place
// of the system's pthread build (src/CMakeLists.txt, decision 42).
TEST_F(RuntimeThreads, ExecutablesLoadTheOpenMpBuild) { EXPECT_TRUE(enflow::blas_uses_openmp()); }
#endif

}  // namespace

// One rank of many gives no warnings (rank 0 gives them, once), and a suppressed message is
// not used up: the same message on rank 0 still reaches the handler.
TEST(RuntimeWarnings, OnlyRankZeroWarns) {
  std::vector<std::string> seen;
  enflow::set_warning_handler([&](const std::string& m) { seen.push_back(m); });
  const std::string message = "rank test warning (unique to RuntimeWarnings)";
  setenv("RANK", "1", 1);  // as torchrun sets them
  setenv("WORLD_SIZE", "2", 1);
  setenv("MASTER_ADDR", "127.0.0.1", 1);
  setenv("MASTER_PORT", "29500", 1);
  enflow::warn(message);
  EXPECT_TRUE(seen.empty());
  setenv("RANK", "0", 1);
  enflow::warn(message);
  enflow::warn(message);
  for (const char* v : {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) unsetenv(v);
  enflow::set_warning_handler(nullptr);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], message);
}

#include "enflow/runtime.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cstdlib>

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

TEST_F(RuntimeThreads, InitThreadsRunsMultipliesOnTheCallingThreadUnlessTold) {
  if (enflow::blas_threads() == 0) GTEST_SKIP() << "the loaded BLAS is not OpenBLAS";
  if (user_set_blas_threads()) GTEST_SKIP() << "OPENBLAS_NUM_THREADS is set by the user";
  enflow::set_blas_threads(2);
  EXPECT_EQ(enflow::init_threads(2), 2);
  EXPECT_EQ(enflow::blas_threads(), 1);
  setenv("ENFLOW_BLAS_THREADS", "2", 1);
  enflow::init_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(enflow::blas_threads(), 2);
}

}  // namespace

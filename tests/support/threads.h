// One LibTorch thread for the duration of a test: the particle systems in the tests are small,
// and on a loaded 2-core machine extra intra-op threads cost far more than they give.
#pragma once

#include <ATen/Parallel.h>

namespace enflow::testing {

class OneThread {
 public:
  OneThread() : previous_(at::get_num_threads()) { at::set_num_threads(1); }
  ~OneThread() { at::set_num_threads(previous_); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int previous_;
};

}  // namespace enflow::testing

// One LibTorch thread for the duration of a test: the particle systems in the tests are small,
// and on a loaded 2-core machine extra intra-op threads cost far more than they give.
#pragma once

#include <ATen/Parallel.h>

namespace enflow::testing {

// `n` LibTorch threads for the scope (tests of thread-dependent code paths).
class Threads {
 public:
  explicit Threads(int n) : previous_(at::get_num_threads()) { at::set_num_threads(n); }
  ~Threads() { at::set_num_threads(previous_); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

 private:
  int previous_;
};

class OneThread : public Threads {
 public:
  OneThread() : Threads(1) {}
};

}  // namespace enflow::testing

// Gradients summed over the ranks while the backward pass still runs (what PyTorch's DDP
// reducer does, which LibTorch's C++ API lacks): each parameter's gradient accumulator gets a
// post hook; when every gradient of a bucket has arrived, the bucket's allreduce starts. The
// buckets follow the reverse order of the parameters (the order backward produces them) and
// start strictly in bucket order, so every rank starts the same collectives in the same
// order and the sums are those of Group::allreduce_gradients.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "enflow/distributed/group.h"

namespace enflow::distributed {

class GradientOverlap {
 public:
  /// Hooks `parameters` (leaf tensors) until destroyed; `group` must outlive it. Those that
  /// do not require gradients are left alone (they count as zero in their bucket).
  GradientOverlap(std::vector<at::Tensor> parameters, Group& group,
                  int64_t bucket_bytes = kBucketBytes);
  ~GradientOverlap();
  GradientOverlap(const GradientOverlap&) = delete;
  GradientOverlap& operator=(const GradientOverlap&) = delete;

  /// After one backward pass: starts the buckets not yet started (a parameter whose
  /// gradient did not arrive counts as its current gradient, or zero without one), waits
  /// for all, and writes the sums into the gradients as allreduce_gradients does. Ready for
  /// the next backward pass afterwards.
  void finish();
  /// Buckets started from inside backward passes so far (the others started in finish()).
  int64_t started_early() const;
  int64_t buckets() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace enflow::distributed

// The ranks of one data-parallel job and the few collectives training needs, on
// torch.distributed's c10d (Gloo on CPU; NCCL on CUDA where the libtorch has it). c10d stays
// inside src/distributed: this header is light.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "enflow/distributed/environment.h"

namespace enflow::distributed {

/// Bytes per gradient bucket: few enough collectives, small enough buffers (DDP's default).
constexpr int64_t kBucketBytes = 25 << 20;

/// What the collectives of a group have moved so far (this rank's payload) and how long
/// this rank waited in them.
struct Traffic {
  int64_t collectives = 0;
  int64_t bytes = 0;
  double seconds = 0.0;
};

/// A process group of world size > 1. Every collective waits at most the timeout; a peer
/// that died or stalled becomes a std::runtime_error of one line naming the rank(s) that did
/// not answer, on every rank that is still alive.
class Group {
 public:
  /// Meets the other ranks: rank 0 serves a c10d TCPStore at master_addr:master_port, then
  /// the process group connects through it. Throws std::runtime_error (one line) when the
  /// others do not come within the timeout or the address cannot be reached.
  static std::shared_ptr<Group> connect(const Environment& env, double timeout_seconds,
                                        c10::Device device = c10::kCPU);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const;
  int size() const;
  const std::string& backend() const;  ///< "gloo" or "nccl"
  double timeout_seconds() const;

  /// Copies root's values into `tensors` on every rank (in place).
  void broadcast(const std::vector<at::Tensor>& tensors, int root = 0);
  /// Sums the gradients of `parameters` over the ranks, in place, flattened into contiguous
  /// buckets of at most `bucket_bytes` (one collective per bucket, all in flight at once).
  /// A parameter without a gradient on this rank counts as zero; it gets the sum unless
  /// that is zero everywhere (then it stays without one, as in one process).
  void allreduce_gradients(const std::vector<at::Tensor>& parameters,
                           int64_t bucket_bytes = kBucketBytes);
  /// Sums `tensors` over the ranks, in place (flat buckets as for the gradients): the partial
  /// sums of sample-parallel solvers (docs/distributed.md).
  void allreduce_tensors(const std::vector<at::Tensor>& tensors,
                         int64_t bucket_bytes = kBucketBytes);
  /// Starts summing the contiguous tensor `flat` over the ranks, in place, and returns at
  /// once (GradientOverlap starts each gradient bucket as soon as the backward pass has
  /// filled it). Every rank must start the same collectives in the same order; `flat` must
  /// not be touched until wait_started().
  void start_allreduce(const at::Tensor& flat);
  /// Waits for every collective started by start_allreduce (a dead or stalled peer is named
  /// as for the other collectives); their bytes and the time spent waiting here are counted.
  void wait_started();
  /// Every rank's `tensor` (same dtype and trailing shape; rows may differ), concatenated
  /// along dim 0 in rank order, on every rank. Sizes travel first, so rows may differ.
  at::Tensor allgather_rows(const at::Tensor& tensor);
  /// Sums a few numbers over the ranks (losses, counts, flags), in float64.
  std::vector<double> allreduce_sum(const std::vector<double>& values);
  /// Waits until every rank has come here.
  void barrier();

  const Traffic& traffic() const;

 private:
  struct Impl;
  explicit Group(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The group of this process from its environment (environment()): nullptr for a world of
/// one, so that one process pays nothing.
std::shared_ptr<Group> init_from_environment(double timeout_seconds,
                                             c10::Device device = c10::kCPU);

/// Rank and world size of a group that may be null (one process).
inline int rank_of(const Group* g) { return g ? g->rank() : 0; }
inline int size_of(const Group* g) { return g ? g->size() : 1; }

}  // namespace enflow::distributed

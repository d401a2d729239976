// Internal: how tensors are packed into the flat buffers of one collective each (the
// bucketed collectives of Group and the overlapped gradient buckets of GradientOverlap).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace enflow::distributed {

/// Consecutive tensors of one dtype and device, at most `bytes` together (one tensor may be
/// larger on its own), as index lists: each group becomes one flat buffer and one collective.
std::vector<std::vector<size_t>> group_tensors(const std::vector<at::Tensor>& ts, int64_t bytes);

}  // namespace enflow::distributed

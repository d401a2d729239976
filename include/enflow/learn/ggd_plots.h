// PNG plots of a generalized-gradient-dynamics model (used by `enflow predict` and
// `enflow reproduce ggd`): the learned entropy S and dissipation Ξ beside the reference
// system's in its gauge (curves for 1-D states, contour maps for 2-D, slices otherwise),
// the predicted trajectories against the truth, and the learned S along the prediction.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "enflow/models/ggd.h"
#include "enflow/systems/system.h"

namespace enflow::learn {

/// prediction, truth: [S, T, D] float64 on the CPU; t: the T time stamps; series: the
/// series ids (for titles). `system` may be null or not a gradient system (no truth
/// curves). Returns the files written, named <stem>_<what>.png.
std::vector<std::string> plot_ggd(models::GgdModelImpl& model, const systems::System* system,
                                  const at::Tensor& prediction, const at::Tensor& truth,
                                  const std::vector<double>& t, const std::vector<int64_t>& series,
                                  const std::string& stem);

}  // namespace enflow::learn

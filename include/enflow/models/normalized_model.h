// A model that learns in normalized coordinates u_n = (u − shift) / scale and speaks the
// user's units (issue 28: records in pixels saturate tanh networks). Built by make_model when
// ModelOptions has norm_shift / norm_scale; the affine map keeps every discrete law exact
// (the discrete gradient of H(u) = H_n(u_n) is ∇̄H_n / scale).
#pragma once

#include "enflow/models/model.h"

namespace enflow::models {

/// Wraps `inner` (built for u_n); throws std::invalid_argument for srnn and ggd models or
/// when the vectors do not have one positive scale per state component.
DynamicsModel normalized(DynamicsModel inner, const ModelOptions& options);

}  // namespace enflow::models

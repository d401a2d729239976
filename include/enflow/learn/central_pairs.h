// Training pairs whose target is the central difference of the observed trajectory,
// (x_{k+1} − x_{k−1}) / (t_{k+1} − t_{k−1}) at the interior points x_k — the continuous-time
// loss of the generalized-gradient-dynamics reference work (second-order accurate, where
// the forward difference of consecutive states is first-order at x_k).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <string>
#include <vector>

#include "enflow/io/dataset.h"
#include "enflow/learn/trainer.h"

namespace enflow::learn {

/// Pairs (u0, u1, dt) with u0 = x_k (interior points of each series), dt = (t_{k+1} − t_{k−1})/2
/// and u1 = u0 + dt·c_k, c_k the central difference, so that finite_difference() is c_k
/// (to rounding, ≈ ε|u0|/dt). u1 is not an observed state: use these pairs only with a
/// rate evaluated at u0 (the "euler" rate, f(u0)). Needs 3 or more time points per series.
PairSet make_central_pairs(const io::Dataset& data, const std::vector<int64_t>& series,
                           c10::ScalarType dtype, c10::Device device);

/// "forward": make_pairs (consecutive states); "central": make_central_pairs. Throws
/// std::invalid_argument for another name.
PairSet make_pairs_by(const std::string& derivative, const io::Dataset& data,
                      const std::vector<int64_t>& series, c10::ScalarType dtype,
                      c10::Device device);

/// Names accepted by make_pairs_by.
const std::vector<std::string>& derivative_names();

}  // namespace enflow::learn

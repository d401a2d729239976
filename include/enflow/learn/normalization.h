// Normalization of the states a model learns on (issue 28): records in the user's units —
// pixels, millimetres — would saturate tanh networks. Chosen so that the structure keeps its
// form: one scale for all positions and one for all momenta under a canonical structure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace enflow::io {
struct Dataset;
}

namespace enflow::learn {

/// Shift and scale per state component; both empty: no normalization.
struct Normalization {
  std::vector<double> shift, scale;
  bool empty() const { return scale.empty(); }
};

/// The normalization of `mode` from the states of `series`:
///   "none"; "per_coordinate" (each component's mean and standard deviation);
///   "pooled" (one mean and deviation per group: the positions and the momenta apart under
///   the symplectic and friction structures, all components together otherwise — grids, L²
///   flows, learned G);
///   "auto" (the config's default): "pooled" for data enflow did not generate (imported
///   records, arrays from Python), "none" for its reference systems (the papers' protocols),
///   and "none" for srnn and ggd, which cannot be normalized.
/// Angles (model.angles) keep shift 0 and scale 1: their period is 2π. Throws
/// std::invalid_argument naming an unknown mode.
Normalization normalization_for(const io::Dataset& data, const std::vector<int64_t>& series,
                                const std::string& mode, const std::string& model_type,
                                const std::string& structure,
                                const std::vector<int64_t>& angles = {});

}  // namespace enflow::learn

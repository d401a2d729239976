// 2-D toy densities for generative models, as in the FFJORD toy suite: two moons, eight
// Gaussians, checkerboard — each with exact samples and its exact log-density, so a model's
// test NLL can be put beside the data's own entropy (the floor no model can beat on average).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "enflow/particles/common.h"

namespace enflow::particles {

struct ToyDensity {
  std::string name;
  std::function<at::Tensor(int64_t)> sample;  ///< [n, 2], global generator
  LogDensity log_prob;                        ///< exact; −inf off the support
  /// The entropy −E log p in closed form (checkerboard: log 32; eight Gaussians: log 8 +
  /// log(2πeσ²), exact up to the components' overlap), NaN where there is none (two moons).
  double entropy_closed_form = 0;
  double box = 4;  ///< [−box, box]² holds all but a negligible part of the mass
};

/// "two_moons": the arcs (cos s, sin s) and (1 − cos s, ½ − sin s), s ~ U(0, π), plus
///   N(0, 0.1²) noise, then scaled by 2 and shifted by (−1, −0.2) (sklearn's make_moons as
///   FFJORD uses it, with continuous s); log p by 400-node midpoint quadrature along each arc.
/// "eight_gaussians": N(c, 0.5²) around c = 4(cos kπ/4, sin kπ/4), all divided by 1.414.
/// "checkerboard": uniform on 8 of the 16 2×2 squares of [−4, 4]² (density 1/32).
ToyDensity toy_density(const std::string& name, const at::TensorOptions& options);

/// The names toy_density accepts.
const std::vector<std::string>& toy_density_names();

/// Monte Carlo estimate of the entropy −E log p(X) from n exact samples: (mean, standard
/// error). Uses the global generator.
std::pair<double, double> entropy_estimate(const ToyDensity& density, int64_t n);

}  // namespace enflow::particles

// Datasets the tests make themselves: exact trajectories of simple oscillators.
#pragma once

#include <torch/torch.h>

#include <cmath>

#include "enflow/io/dataset.h"

namespace enflow::testing {

/// Mass-spring H = q² + p² (so q' = 2p, p' = −2q), optionally damped (p' −= 2γp),
/// S series of T steps of dt from random radii in [0.2, 1].
inline io::Dataset oscillator_dataset(int64_t S, int64_t T, double dt, double damping = 0.0,
                                      uint64_t seed = 0) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto r = 0.2 + 0.8 * torch::rand({S, 1}, gen, opts);
  auto phi = 2 * M_PI * torch::rand({S, 1}, gen, opts);
  auto t = torch::arange(T, opts) * dt;
  // Damped oscillator z'' + 2γ z' + 4 z = 0 for q, p = q'/2.
  const double g = damping, w = std::sqrt(4.0 - g * g);
  auto tt = t.unsqueeze(0);
  auto env = torch::exp(-g * tt);
  auto q = r * env * torch::cos(w * tt + phi);
  auto dq = r * env * (-g * torch::cos(w * tt + phi) - w * torch::sin(w * tt + phi));
  io::Dataset d;
  d.states = torch::stack({q, 0.5 * dq}, 2);
  d.t = t;
  d.system = damping > 0 ? "damped-oscillator" : "mass-spring";
  d.dt = dt;
  d.seed = seed;
  for (int64_t s = 0; s < S; ++s) (s < S * 4 / 5 ? d.train : d.test).push_back(s);
  return d;
}

}  // namespace enflow::testing

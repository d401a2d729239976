#include "enflow/systems/generate.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "enflow/systems/gradient_system.h"
#include "systems/common.h"

namespace enflow::systems {

io::Dataset generate_dataset(const System& system, const Protocol& p, uint64_t seed,
                             const ProgressFn& progress) {
  if (p.series < 1) throw std::invalid_argument("generate: series must be >= 1");
  if (p.steps < 1) throw std::invalid_argument("generate: steps must be >= 1");
  if (!(p.dt > 0) || !std::isfinite(p.dt)) throw std::invalid_argument("generate: dt must be > 0");
  if (!(p.noise >= 0) || !std::isfinite(p.noise))
    throw std::invalid_argument("generate: noise must be >= 0");
  if (!(p.train_fraction >= 0 && p.train_fraction <= 1))
    throw std::invalid_argument("generate: train fraction must be in [0, 1]");
  torch::NoGradGuard no_grad;
  auto u = system.sample_initial(p.series, seed);
  std::vector<torch::Tensor> states{u};
  states.reserve(p.steps + 1);
  for (int64_t k = 1; k <= p.steps; ++k) {
    u = system.reference_step(u, p.dt).detach();
    if (!torch::isfinite(u).all().item<bool>()) {
      throw std::runtime_error("generate: the " + system.name() +
                               " reference solver produced non-finite states at step " +
                               std::to_string(k) + "; reduce dt");
    }
    states.push_back(u);
    if (progress) {
      Progress r;
      r.iteration = k;
      r.iterations = p.steps;
      progress(r);
    }
  }
  io::Dataset d;
  d.states = torch::stack(states, 1).contiguous();  // [S, T, D]
  if (p.noise > 0) {
    detail::Rng rng(seed ^ 0x9E3779B97F4A7C15ULL);
    auto noise = torch::empty_like(d.states);
    auto* n = noise.data_ptr<double>();
    for (int64_t i = 0; i < noise.numel(); ++i) n[i] = rng.normal();
    d.states = d.states + p.noise * noise;
  }
  d.t = torch::arange(p.steps + 1, torch::kFloat64) * p.dt;
  d.system = system.name();
  d.params = system.parameters();
  d.grid = system.grid();
  d.dt = p.dt;
  d.noise = p.noise;
  d.seed = seed;
  const auto ntrain = static_cast<int64_t>(std::floor(p.train_fraction * p.series + 1e-9));
  for (int64_t i = 0; i < p.series; ++i) (i < ntrain ? d.train : d.test).push_back(i);
  return d;
}

at::Tensor noise_free_states(const System& system, const io::Dataset& noisy) {
  if (noisy.system != system.name() || !(noisy.dt > 0) || noisy.t.dim() != 1) {
    throw std::invalid_argument("noise_free_states: the dataset was not drawn from " +
                                system.name() + " on a regular time grid");
  }
  Protocol p;
  p.series = noisy.states.size(0);
  p.steps = noisy.states.size(1) - 1;
  p.dt = noisy.dt;
  p.noise = 0.0;
  p.train_fraction = 0.0;
  auto clean = generate_dataset(system, p, noisy.seed).states;
  // The observations are the clean states plus noise of std `noise`: a mismatch far beyond
  // it means the data came from elsewhere (another seed, an import).
  const double tol = 10.0 * std::max(noisy.noise, 1e-9) + 1e-9;
  auto dev = (clean.select(1, 0) - noisy.states.select(1, 0)).abs().max().item<double>();
  if (!(dev <= tol)) {
    throw std::invalid_argument(
        "noise_free_states: the dataset's initial states are not those "
        "of its seed (imported or edited data)");
  }
  return clean;
}

std::map<std::string, double> invariant_drifts(const System& system, const at::Tensor& states) {
  if (states.dim() != 3 || states.size(2) != system.dim()) {
    throw std::invalid_argument("invariant_drifts: states must be [series, steps, " +
                                std::to_string(system.dim()) + "]");
  }
  torch::NoGradGuard no_grad;
  const auto S = states.size(0), T = states.size(1);
  auto flat = states.reshape({S * T, states.size(2)}).to(torch::kFloat64).contiguous();
  std::map<std::string, double> out;
  for (const auto& [name, v] : system.invariants(flat)) {
    auto I = v.reshape({S, T});
    auto I0 = I.select(1, 0).unsqueeze(1);
    auto scale = I0.abs().clamp_min(1.0);  // relative for |I(0)| >= 1, absolute below
    out[name + "_drift"] = ((I - I0).abs() / scale).max().item<double>();
    out[name + "_abs_drift"] = (I - I0).abs().max().item<double>();
    if (T > 1) {
      auto diff = (I.narrow(1, 1, T - 1) - I.narrow(1, 0, T - 1)) / scale;
      out[name + "_max_increase"] = std::max(0.0, diff.max().item<double>());
      out[name + "_max_decrease"] = std::max(0.0, (-diff).max().item<double>());
    }
  }
  return out;
}

Params parse_param_overrides(const std::vector<std::string>& items, const std::string& system) {
  Params p;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument("--param '" + item + "' is not KEY=VALUE");
    const auto key = item.substr(0, eq), value = item.substr(eq + 1);
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (!value.empty() && end == value.c_str() + value.size() && std::isfinite(v)) {
      p[key] = v;
    } else if (system == "diffusion" && key == "start") {
      p[key] = diffusion_start_code(value);
    } else {
      throw std::invalid_argument("--param " + key + ": '" + value + "' is not a finite number");
    }
  }
  return p;
}

}  // namespace enflow::systems

#include "enflow/learn/metrics.h"

#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "enflow/learn/central_pairs.h"
#include "enflow/learn/trainer.h"
#include "enflow/runtime.h"
#include "enflow/systems/generate.h"

namespace enflow::learn {

namespace {

// The scheme's energy balance along a prediction [S, T, D] with its energies H [S, T]: the largest
// |H(u_{k+1}) − H(u_k) − Δt ∇̄H·r| over the steps (weights w [S, T − 1] mark the data's steps),
// r = G∇̄H + f̄ the model's discrete-time rate (f̄ at the step's midpoint time t0 + Δt/2 for a
// time-dependent force). Rounding for the discrete-gradient scheme, whatever G and f; for an
// explicit integrator, how far its steps are from that law.
double energy_balance_residual(models::DynamicsModelImpl& model, const at::Tensor& prediction,
                               const at::Tensor& energy, const at::Tensor& dt, const at::Tensor& t0,
                               const at::Tensor& w, const torch::TensorOptions& opts) {
  const int64_t T = prediction.size(1), D = prediction.size(2);
  if (T < 2) return 0.0;
  auto u0 = prediction.narrow(1, 0, T - 1).reshape({-1, D});
  auto u1 = prediction.narrow(1, 1, T - 1).reshape({-1, D});
  auto h = dt.reshape({-1}), weight = w.reshape({-1});
  const auto t_mid = model.time_dependent_force() ? t0.reshape({-1}) + 0.5 * h : at::Tensor();
  auto change = (energy.narrow(1, 1, T - 1) - energy.narrow(1, 0, T - 1)).reshape({-1});
  const auto derivatives = model.energy_derivatives();
  const int64_t chunk = 4096;  // bounds the networks' activations on long records
  std::vector<at::Tensor> parts;
  for (int64_t i = 0; i < u0.size(0); i += chunk) {
    const int64_t n = std::min(chunk, u0.size(0) - i);
    auto a = u0.narrow(0, i, n).to(opts), b = u1.narrow(0, i, n).to(opts);
    auto g = derivatives.discrete_gradient(b, a, false).dgrad.detach();
    auto tm = t_mid.defined() ? t_mid.narrow(0, i, n).to(opts) : t_mid;
    auto rate = model.discrete_time_derivative(b, a, false, tm).detach();
    auto predicted =
        (h.narrow(0, i, n).to(opts) * (g * rate).sum(1)).to(torch::kCPU, torch::kFloat64);
    parts.push_back((change.narrow(0, i, n) - predicted).abs() * weight.narrow(0, i, n));
  }
  return torch::cat(parts).max().item<double>();
}

}  // namespace

double derivative_mse(models::DynamicsModelImpl& model, const systems::System& system,
                      const at::Tensor& states, int64_t chunk) {
  if (states.dim() != 2 || states.size(0) == 0) {
    throw std::invalid_argument("derivative_mse: states must be a non-empty [N, d] tensor");
  }
  auto p = model.parameters();
  auto opts = torch::TensorOptions()
                  .dtype(p.empty() ? torch::kFloat64 : p.front().scalar_type())
                  .device(p.empty() ? torch::Device(torch::kCPU) : p.front().device());
  const int64_t N = states.size(0);
  double sum = 0.0;
  for (int64_t s = 0; s < N; s += chunk) {
    const int64_t n = std::min(chunk, N - s);
    auto u = states.narrow(0, s, n).to(torch::kFloat64);
    auto exact = system.time_derivative(u);
    auto rate = model.time_derivative(u.to(opts), false).detach().to(torch::kCPU, torch::kFloat64);
    sum += (rate - exact).pow(2).sum().item<double>();
  }
  return sum / static_cast<double>(N * states.size(1));
}

Evaluation evaluate(models::DynamicsModelImpl& model, const io::Dataset& data,
                    const std::vector<int64_t>& series, const models::StepOptions& train_step,
                    const models::StepOptions& predict_step, const systems::System* system,
                    int64_t steps, const std::string& derivative,
                    const std::vector<int64_t>& angles) {
  if (series.empty()) throw std::invalid_argument("no series to evaluate");
  auto p = model.parameters();
  const auto dtype = p.empty() ? torch::kFloat64 : p.front().scalar_type();
  const auto device = p.empty() ? torch::Device(torch::kCPU) : p.front().device();
  Evaluation ev;
  ev.step_mse = rate_mse(model, make_pairs_by(derivative, data, series, dtype, device), train_step);

  auto idx = torch::tensor(series, torch::kLong);
  auto truth = data.states.index_select(0, idx);
  // The exact du/dt is the data's only when the system produced them (not for imported
  // records, such as a measured, damped pendulum labelled "pendulum").
  if (system && data.source.empty() && system->name() != "formula")  // a formula: no dynamics
  {
    std::vector<at::Tensor> rows;  // the data's rows, not the padding of ragged series
    for (auto s : series) rows.push_back(io::series_states(data, s));
    ev.deriv_mse = derivative_mse(model, *system, torch::cat(rows));
    // Likewise the system's G is the data's true structure only for data it produced.
    ev.structure_identification_error = structure_identification_error(model, *system);
  }
  // Noisy generated data: long-term predictions start from, and are scored against, the
  // true orbits (the observation noise would otherwise set the floor of every metric).
  if (system && data.noise > 0) {
    try {
      truth = systems::noise_free_states(*system, data).index_select(0, idx);
      ev.noise_free_truth = true;
    } catch (const std::invalid_argument&) {
      // imported or edited data: only the observations are known
    }
  }
  // Each series is predicted over its own time points (ragged records), at most steps + 1.
  const int64_t longest = truth.size(1);
  const int64_t T = steps > 0 ? std::min<int64_t>(steps + 1, longest) : longest;
  if (steps + 1 > longest)  // the prediction is scored against the series: no further
    enflow::warn(
        fmt::format("{} prediction steps asked for, but the series have {} after their "
                    "initial state: predicting {}",
                    steps, longest - 1, longest - 1));
  truth = truth.narrow(1, 0, T);
  std::vector<int64_t> len(series.size());
  bool ragged = false;
  for (size_t k = 0; k < series.size(); ++k) {
    len[k] = std::min(T, io::series_length(data, series[k]));
    ragged = ragged || len[k] != T;
  }
  // Regular grids predict all series at once; irregular or ragged ones series by series.
  std::vector<at::Tensor> preds;
  auto opts = torch::TensorOptions().dtype(dtype).device(device);
  // Steps taken as halves, per series (all series at once: the same steps for each).
  std::vector<models::RolloutReport> halved(series.size());
  if (data.t.dim() == 1 && !ragged) {
    preds.push_back(models::rollout(model, truth.select(1, 0).to(opts), data.t.narrow(0, 0, T),
                                    predict_step, &halved[0]));
    for (auto& h : halved) h = halved[0];
  } else {
    for (size_t k = 0; k < series.size(); ++k) {
      auto tk = io::series_times(data, series[k]).narrow(0, 0, len[k]);
      auto p =
          models::rollout(model, truth[k].narrow(0, 0, 1).to(opts), tk, predict_step, &halved[k]);
      if (len[k] < T)  // padding as in the dataset: the last state repeated
        p = torch::cat({p, p.narrow(1, -1, 1).expand({1, T - len[k], p.size(2)})}, 1);
      preds.push_back(p);
    }
  }
  if (ragged) ev.lengths = len;
  ev.prediction = torch::cat(preds, 0).to(torch::kCPU, torch::kFloat64);
  ev.truth = truth.to(torch::kFloat64);
  // Means over the time points that are data: every point of every series counted once.
  auto valid = torch::ones({static_cast<int64_t>(series.size()), T}, torch::kFloat64);
  for (size_t k = 0; k < series.size(); ++k) valid[k].narrow(0, len[k], T - len[k]).zero_();
  const double points = valid.sum().item<double>();
  auto error = ev.prediction - ev.truth;
  for (const auto a : angles) {  // the nearest turn: θ and θ + 2πk are the same state
    auto e = error.select(2, a);
    e.copy_(torch::remainder(e + M_PI, 2 * M_PI) - M_PI);
  }
  ev.state_mse = (error.pow(2).sum(2) * valid).sum().item<double>() /
                 (points * static_cast<double>(error.size(2)));
  if (model.has_energy() && model.type() != "ggd") {
    const int64_t S = ev.prediction.size(0), D = ev.prediction.size(2);
    auto H = [&](const at::Tensor& x) {
      return ad::energy(model.energy_fn(), x.reshape({S * T, D}).to(opts))
          .detach()
          .to(torch::kCPU, torch::kFloat64)
          .reshape({S, T});
    };
    ev.learned_energy = H(ev.prediction);
    ev.learned_energy_truth = H(ev.truth);
    // Step sizes of each series (0 past a ragged series' end, where the padding repeats).
    auto steps_dt = torch::zeros({S, T - 1}, torch::kFloat64);
    auto steps_t0 = torch::zeros({S, T - 1}, torch::kFloat64);
    for (int64_t k = 0; k < S; ++k) {
      auto tk = data.t.dim() == 1 && !ragged
                    ? data.t.narrow(0, 0, T)
                    : io::series_times(data, series[k]).narrow(0, 0, len[k]);
      tk = tk.to(torch::kFloat64);
      if (tk.size(0) > 1) {
        steps_dt[k].narrow(0, 0, tk.size(0) - 1).copy_(tk.diff());
        steps_t0[k].narrow(0, 0, tk.size(0) - 1).copy_(tk.narrow(0, 0, tk.size(0) - 1));
      }
    }
    // A step taken as halves keeps the balance per half, not over the whole step: left out
    // and counted.
    auto weight = (steps_dt != 0).to(torch::kFloat64);
    ev.halved_steps = 0;
    for (int64_t k = 0; k < S; ++k)
      for (const int64_t step : halved[static_cast<size_t>(k)].halved_steps) {
        weight[k][step - 1] = 0.0;
        ++ev.halved_steps;
      }
    const double scale = std::max(ev.learned_energy.abs().max().item<double>(), 1e-300);
    ev.energy_balance_residual = energy_balance_residual(model, ev.prediction, ev.learned_energy,
                                                         steps_dt, steps_t0, weight, opts) /
                                 scale;
  }
  if (system) {
    const int64_t S = ev.truth.size(0), D = ev.truth.size(2);
    auto ip = system->invariants(ev.prediction.reshape({S * T, D}));
    auto it = system->invariants(ev.truth.reshape({S * T, D}));
    for (auto& [name, v] : ip) {
      if (!it.count(name)) continue;
      auto a = v.reshape({S, T}), b = it[name].reshape({S, T});
      ev.invariant_prediction[name] = a;
      ev.invariant_truth[name] = b;
      ev.invariant_mse[name] = ((a - b).pow(2) * valid).sum().item<double>() / points;
    }
  }
  return ev;
}

LearnedEnergyLaw learned_energy_law(const at::Tensor& H) {
  LearnedEnergyLaw law;
  if (!H.defined() || H.numel() == 0) return law;
  const double scale = std::max(H.abs().max().item<double>(), 1e-300);
  law.rel_drift = (H - H.narrow(1, 0, 1)).abs().max().item<double>() / scale;
  if (H.size(1) > 1) {
    auto dH = H.narrow(1, 1, H.size(1) - 1) - H.narrow(1, 0, H.size(1) - 1);
    law.max_rel_increase = dH.max().item<double>() / scale;
  }
  return law;
}

}  // namespace enflow::learn

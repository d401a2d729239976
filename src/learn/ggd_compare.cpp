#include "enflow/learn/ggd_compare.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "enflow/learn/central_pairs.h"
#include "enflow/learn/metrics.h"
#include "enflow/learn/trainer.h"
#include "enflow/models/stepper.h"

namespace enflow::learn {

namespace {

double true_scale(const systems::GeneralizedGradientSystem& s) {
  return s.dx() > 0 ? 1.0 / s.dx() : 1.0;
}

// x in the model's dtype and device (its first parameter's; float64 CPU without any).
at::Tensor for_model(models::GgdModelImpl& m, const at::Tensor& x) {
  auto p = m.parameters();
  return p.empty() ? x.to(torch::kCPU, torch::kFloat64) : x.to(p.front().options());
}

at::Tensor host(const at::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); }

}  // namespace

GgdGauge fit_gauge(models::GgdModelImpl& model, const systems::GeneralizedGradientSystem& system,
                   const at::Tensor& x, bool affine) {
  auto xd = host(x);
  auto Sl = host(model.entropy(for_model(model, x)));
  auto St = ad::energy([&](const ad::Var& v) { return system.entropy(v); }, xd).detach();
  std::vector<at::Tensor> cols{Sl.unsqueeze(1)};
  if (affine) cols.push_back(xd);
  cols.push_back(torch::ones_like(Sl).unsqueeze(1));
  auto A = torch::cat(cols, 1);
  // Normal equations with a tiny ridge (columns may be nearly dependent, e.g. a learned S
  // that is itself almost affine).
  auto AtA = torch::matmul(A.t(), A);
  auto ridge = 1e-12 * AtA.diagonal().abs().max().item<double>();
  auto coef = torch::linalg_solve(AtA + ridge * torch::eye(A.size(1), A.options()),
                                  torch::matmul(A.t(), St.unsqueeze(1)))
                  .squeeze(1);
  GgdGauge g;
  g.alpha = coef[0].item<double>();
  g.beta = coef[-1].item<double>();
  g.a =
      affine ? coef.narrow(0, 1, xd.size(1)).clone() : torch::zeros({xd.size(1)}, torch::kFloat64);
  g.valid = g.alpha > 0;
  auto res = St - torch::matmul(A, coef);
  const double spread = (St - St.mean()).norm().item<double>();
  g.entropy_rel_rmse = res.norm().item<double>() / std::max(spread, 1e-300);
  return g;
}

at::Tensor gauged_entropy(models::GgdModelImpl& model, const GgdGauge& g, const at::Tensor& x) {
  auto xd = host(x);
  auto Sl = host(model.entropy(for_model(model, x)));
  return g.alpha * Sl + torch::matmul(xd, g.a) + g.beta;
}

at::Tensor gauged_dissipation(models::GgdModelImpl& model,
                              const systems::GeneralizedGradientSystem& system, const GgdGauge& g,
                              const at::Tensor& x, const at::Tensor& z) {
  const double at = true_scale(system), bt = at;
  const double al = model.entropy_scale(), bl = model.rate_scale();
  const double nu = al / (at * g.alpha), mu = bl * at * g.alpha / (bt * al);
  auto y = nu * (host(z) - at * g.a);
  return mu * host(model.dissipation(for_model(model, x), for_model(model, y)));
}

double dissipation_rel_rmse(models::GgdModelImpl& model,
                            const systems::GeneralizedGradientSystem& system, const GgdGauge& g,
                            const at::Tensor& x, const at::Tensor& z) {
  auto truth = host(system.dissipation(host(x), host(z)));
  auto err = gauged_dissipation(model, system, g, x, z) - truth;
  return err.norm().item<double>() / std::max(truth.norm().item<double>(), 1e-300);
}

// Entropy along discrete-time predictions from the test initial states, at the data's dt
// and at 10 dt: decreases beyond rounding (1e-12 relative) are counted.
void check_entropy_law(models::GgdModelImpl& m, const at::Tensor& x0, double dt, int64_t steps,
                       GgdMeasures& r) {
  for (double h : {dt, 10 * dt}) {
    auto t = torch::arange(steps + 1, torch::kFloat64) * h;
    auto traj = models::rollout(m, x0, t, models::StepOptions().integrator("discrete_gradient"));
    auto S = m.entropy(traj.reshape({-1, traj.size(2)})).reshape({traj.size(0), -1});
    auto dS = S.narrow(1, 1, steps) - S.narrow(1, 0, steps);
    const double tol = 1e-12 * std::max(1.0, S.abs().max().item<double>());
    r.entropy_decreases += (dS < -tol).sum().item<int64_t>();
    r.entropy_steps += dS.numel();
    const double mn = dS.min().item<double>();
    r.entropy_min_increment =
        std::isnan(r.entropy_min_increment) ? mn : std::min(r.entropy_min_increment, mn);
  }
}

GgdMeasures measure_ggd(models::GgdModelImpl& m, const io::Config& cfg, const io::Dataset& data,
                        const systems::GeneralizedGradientSystem& sys,
                        const std::vector<int64_t>& series) {
  GgdMeasures r;
  auto euler = models::StepOptions().integrator("euler");
  auto central = make_central_pairs(data, series, torch::kFloat64, torch::kCPU);
  r.mse_central = rate_mse(m, central, euler);
  r.mse_exact = derivative_mse(m, sys, central.u0);
  const auto integ = cfg.get_string("train.integrator", "euler");
  const auto deriv = cfg.get_string("train.derivative", "central");
  r.mse_scheme = rate_mse(m, make_pairs_by(deriv, data, series, torch::kFloat64, torch::kCPU),
                          models::StepOptions().integrator(integ));
  auto states = central.u0;
  auto g = fit_gauge(m, sys, states, /*affine=*/true);
  if (m.options().entropy() == "learned") r.gauge_S = g.entropy_rel_rmse;
  if (m.options().dissipation() == "learned" && g.valid) {
    r.gauge_Xi = dissipation_rel_rmse(m, sys, g, states, sys.conjugate(states));
  }
  return r;
}

}  // namespace enflow::learn

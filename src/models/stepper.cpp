#include "enflow/models/stepper.h"

#include <torch/torch.h>

#include <stdexcept>

#include "enflow/integrators/discrete_gradient_scheme.h"
#include "enflow/integrators/integrator_registry.h"
#include "enflow/integrators/newton.h"

namespace enflow::models {

std::vector<std::string> integrator_names() {
  return integrators::IntegratorRegistry::instance().names();
}

namespace {

// Explicit step over the per-sample time step h [B, 1] by integrating the rescaled field
// h·f over unit time (so one adaptive or explicit step serves pairs with different Δt).
at::Tensor explicit_step(DynamicsModelImpl& m, const at::Tensor& u, const at::Tensor& h,
                         const StepOptions& o, bool create_graph) {
  const auto& scheme = integrators::integrator(o.integrator());
  if (scheme.implicit)
    throw std::logic_error("explicit_step: '" + o.integrator() + "' is implicit");
  if (m.time_dependent_force())
    throw std::invalid_argument(
        "a time-dependent force (model.force = learned_xt) needs the "
        "discrete_gradient integrator, not " +
        o.integrator() + " (its stages carry no time)");
  integrators::ExplicitField F;
  F.f = [&](const at::Tensor& x) { return h * m.time_derivative(x, create_graph); };
  if (scheme.needs_separable) {
    if (!m.separable()) {
      throw std::invalid_argument(o.integrator() + " needs a separable model (srnn), not '" +
                                  m.type() + "'");
    }
    F.dV_dq = [&](const at::Tensor& q) { return h * m.dV_dq(q, create_graph); };
    F.dT_dp = [&](const at::Tensor& p) { return h * m.dT_dp(p, create_graph); };
  }
  integrators::StepTolerances tol;
  tol.rtol = o.rtol();
  tol.atol = o.atol();
  return scheme.step(F, u, 1.0, tol);
}

// The steps' midpoint times t₀ + Δt/2 [B], where the implicit scheme evaluates a
// time-dependent force; undefined (t = 0, never read) for the other models.
at::Tensor midpoint_times(DynamicsModelImpl& m, const at::Tensor& t0, const at::Tensor& h) {
  if (!m.time_dependent_force() || !t0.defined()) return {};
  return (t0.reshape({-1}).to(h.options()) + 0.5 * h.reshape({-1})).detach();
}

}  // namespace

at::Tensor model_rate(DynamicsModelImpl& m, const at::Tensor& u0, const at::Tensor& u1,
                      const at::Tensor& dt, const StepOptions& o, const at::Tensor& t0) {
  if (integrators::integrator(o.integrator()).implicit) {
    if (!m.has_energy()) {
      throw std::invalid_argument("the discrete-gradient scheme needs an energy model, not '" +
                                  m.type() + "'");
    }
    return m.discrete_time_derivative(u1, u0, /*create_graph=*/true,
                                      midpoint_times(m, t0, dt.to(u0.dtype())));
  }
  auto h = dt.reshape({-1, 1}).to(u0.dtype());
  return (explicit_step(m, u0, h, o, /*create_graph=*/true) - u0) / h;
}

namespace {

at::Tensor implicit_step(DynamicsModelImpl& m, const at::Tensor& u, double dt, const StepOptions& o,
                         integrators::NewtonWorkspace* ws, const at::Tensor& t0) {
  auto own = m.implicit_step(u.detach(), dt, o.newton_tol(), o.newton_max_iterations());
  if (own.defined()) return own.detach();
  if (!m.has_energy()) {
    throw std::invalid_argument("the discrete-gradient scheme needs an energy model, not '" +
                                m.type() + "'");
  }
  const auto newton = integrators::NewtonOptions()
                          .tol(o.newton_tol())
                          .max_iterations(o.newton_max_iterations())
                          .linear_solver(o.linear_solver());
  // Grid stencils never form G. A force f enters as a constant (a time-dependent one at the
  // step's midpoint time, per sample): Newton's Jacobian is unchanged.
  const auto f = m.time_dependent_force() && t0.defined() ? m.force(t0 + 0.5 * dt) : m.force();
  if (f.defined() || m.matrix_free_structure()) {
    auto fd = f.defined() ? f.detach() : f;
    auto applyG = [&m, fd](const at::Tensor& g) {
      auto Gg = m.apply_structure(g);
      if (!fd.defined()) return Gg;
      // Per-sample forces [B, d]; Newton's Jacobian pass repeats each sample d times.
      if (fd.dim() == 2 && fd.size(0) != g.size(0))
        return Gg + fd.repeat_interleave(g.size(0) / fd.size(0), 0);
      return Gg + fd;
    };
    return integrators::discrete_gradient_step(m.energy_derivatives(), applyG, u.detach(), dt,
                                               newton, nullptr, ws);
  }
  auto G = m.structure_matrix().detach();
  return integrators::discrete_gradient_step(m.energy_derivatives(), G, u.detach(), dt, newton,
                                             nullptr, ws);
}

// Newton from the explicit guess can fail where the learned dynamics are stiff over dt
// (seen on Cahn-Hilliard). Two half steps are an equally valid discrete-gradient
// trajectory with a closer guess; the batch is halved together (samples stay in step).
at::Tensor implicit_step_halving(DynamicsModelImpl& m, const at::Tensor& u, double dt,
                                 const StepOptions& o, integrators::NewtonWorkspace* ws,
                                 int halvings_left, const at::Tensor& t0, int64_t* halvings) {
  try {
    return implicit_step(m, u, dt, o, ws, t0);
  } catch (const std::runtime_error& e) {
    if (halvings_left <= 0) {
      if (o.newton_max_halvings() == 0) throw;
      throw std::runtime_error(std::string(e.what()) + " (after halving the step " +
                               std::to_string(o.newton_max_halvings()) + " times)");
    }
  }
  if (halvings) ++*halvings;
  auto mid = implicit_step_halving(m, u, dt / 2, o, ws, halvings_left - 1, t0, halvings);
  const auto t_mid = t0.defined() ? t0 + dt / 2 : t0;
  return implicit_step_halving(m, mid, dt / 2, o, ws, halvings_left - 1, t_mid, halvings);
}

}  // namespace

at::Tensor predict_step(DynamicsModelImpl& m, const at::Tensor& u, double dt, const StepOptions& o,
                        integrators::NewtonWorkspace* ws, const at::Tensor& t0, int64_t* halvings) {
  if (integrators::integrator(o.integrator()).implicit) {
    return implicit_step_halving(m, u, dt, o, ws, o.newton_max_halvings(), t0, halvings);
  }
  auto h = torch::full({u.size(0), 1}, dt, u.options());
  return explicit_step(m, u.detach(), h, o, /*create_graph=*/false).detach();
}

at::Tensor differentiable_step(DynamicsModelImpl& m, const at::Tensor& u, const at::Tensor& dt,
                               const StepOptions& o, const at::Tensor& t0) {
  if (u.dim() != 2 || dt.dim() != 1 || dt.size(0) != u.size(0))
    throw std::invalid_argument("differentiable_step: u must be [B, d] and dt [B]");
  auto h = dt.reshape({-1, 1}).to(u.dtype());
  if (!integrators::integrator(o.integrator()).implicit)
    return explicit_step(m, u, h, o, /*create_graph=*/true);
  if (!m.has_energy() && m.type() != "ggd")
    throw std::invalid_argument("the discrete-gradient scheme needs an energy model, not '" +
                                m.type() + "'");
  torch::AutoGradMode grad_on(true);
  const int64_t B = u.size(0), d = u.size(1);
  const auto u0 = u.detach();
  const auto hd = h.detach();
  const auto tm = midpoint_times(m, t0, hd);
  // The scheme's residual through the model's own discrete_time_derivative (structures,
  // normalization, time-dependent forces and GGD's scheme included).
  auto residual = [&](const at::Tensor& x, const at::Tensor& from, const at::Tensor& step,
                      const at::Tensor& t_mid) {
    return x - from - step * m.discrete_time_derivative(x, from, /*create_graph=*/true, t_mid);
  };
  // The solution without a graph: one step size (the usual case) takes the prediction's own
  // solver (fast reverse passes, step halving); mixed step sizes a batched Newton.
  at::Tensor star;
  const auto [lo, hi] = torch::aminmax(dt);
  if (lo.item<double>() == hi.item<double>()) {
    star = predict_step(m, u0, hi.item<double>(), o, nullptr,
                        tm.defined() ? t0.reshape({-1}).to(u0.options()) : at::Tensor());
  } else {
    // From u₀ the first Newton step is a linearly implicit Euler step (it keeps GGD's states
    // in their domain, as the model's own implicit step does).
    star = integrators::newton_solve(
        [&](const at::Tensor& x) { return residual(x, u0, hd, tm); }, u0,
        integrators::NewtonOptions().tol(o.newton_tol()).max_iterations(o.newton_max_iterations()),
        nullptr, "discrete-gradient training step");
  }
  star = star.detach();
  // J = ∂r/∂u₁ at the solution, every row in one reverse pass: each sample repeated d
  // times, copy i seeded with e_i.
  auto x = star.repeat_interleave(d, 0).requires_grad_(true);
  auto rx = residual(x, u0.repeat_interleave(d, 0), hd.repeat_interleave(d, 0),
                     tm.defined() ? tm.repeat_interleave(d, 0) : tm);
  auto seeds = torch::eye(d, u0.options()).repeat({B, 1});
  const auto J = torch::autograd::grad({rx}, {x}, {seeds})[0].reshape({B, d, d}).detach();
  auto r = residual(star, u, hd, tm);  // the graph to θ and to u, not to u₁
  return star - torch::linalg_solve(J, r.unsqueeze(-1)).squeeze(-1);
}

at::Tensor rollout(DynamicsModelImpl& m, const at::Tensor& u0, const at::Tensor& t,
                   const StepOptions& o, RolloutReport* report) {
  if (t.dim() != 1) throw std::invalid_argument("rollout: t must be one-dimensional");
  std::vector<at::Tensor> states{u0.detach()};
  auto tc = t.to(torch::kCPU, torch::kFloat64);
  auto u = u0.detach();
  integrators::NewtonWorkspace ws;
  const bool timed = m.time_dependent_force();
  for (int64_t k = 1; k < t.size(0); ++k) {
    const double dt = tc[k].item<double>() - tc[k - 1].item<double>();
    const auto t0 =
        timed ? torch::full({u.size(0)}, tc[k - 1].item<double>(), u.options()) : at::Tensor();
    int64_t halvings = 0;
    u = predict_step(m, u, dt, o, &ws, t0, &halvings);
    if (report && halvings > 0) report->halved_steps.push_back(k);
    states.push_back(u);
  }
  return torch::stack(states, 1);
}

}  // namespace enflow::models

// `enflow demo`: automatic discrete differentiation on a random energy network, then the
// same energy integrated by the implicit discrete-gradient scheme and by RK4 — the first
// conserves the network's energy to rounding, the second drifts.
#include <fmt/core.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "commands.h"
#include "enflow/ad/discrete_gradient.h"
#include "enflow/integrators/discrete_gradient_scheme.h"
#include "enflow/integrators/explicit_rk.h"
#include "enflow/io/plot.h"
#include "enflow/nn/energy_net.h"
#include "enflow/runtime.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

struct DemoArgs {
  int64_t dim = 2;
  int64_t width = 200;
  std::string activation = "tanh";
  std::string dtype = "float64";
  std::string device = "cpu";
  int steps = 200;
  double dt = 0.2;
  int64_t seed = 0;
  std::string plot;
};

double max_rel(const torch::Tensor& err, const torch::Tensor& scale) {
  return (err.abs() / scale.abs().clamp_min(1e-300)).max().item<double>();
}

int run_demo(const DemoArgs& a, const Common& common) {
  torch::manual_seed(a.seed);
  const auto dtype = parse_dtype(a.dtype);
  const auto device = parse_device(a.device);
  if (a.dim < 2 || a.dim % 2)
    throw std::invalid_argument("--dim must be even and >= 2 (q, p pairs)");
  if (a.steps < 1) throw std::invalid_argument("--steps must be >= 1");
  if (!(a.dt > 0) || !std::isfinite(a.dt)) throw std::invalid_argument("--dt must be positive");
  auto opts = torch::TensorOptions().dtype(dtype).device(device);

  auto net = nn::make_mlp_energy(
      nn::MlpOptions(a.dim).hidden({a.width, a.width}).activation(a.activation));
  net->to(device, dtype);
  auto H = net->fn();

  // 1. The discrete gradient's defining properties on random pairs, far apart to 1e-14.
  const int64_t B = 256;
  auto u = torch::randn({B, a.dim}, opts);
  auto dir = torch::randn({B, a.dim}, opts);
  auto scales = torch::pow(10.0, -torch::linspace(0, 14, B, opts)).unsqueeze(1);
  auto v = u + scales * dir;
  auto r = ad::discrete_gradient(H, u, v);
  auto lhs = r.H_u - r.H_v;
  auto rhs = (r.dgrad * (u - v)).sum(1);
  const double chain = max_rel(lhs - rhs, r.H_u.abs().maximum(r.H_v.abs()));
  auto g = ad::gradient(H, u);
  const double consist =
      max_rel((ad::discrete_gradient(H, u, u).dgrad - g).norm(2, 1), g.norm(2, 1));
  const double sym =
      max_rel((ad::discrete_gradient(H, v, u).dgrad - r.dgrad).norm(2, 1), r.dgrad.norm(2, 1));

  // 2. du/dt = S ∇H with canonical S, same start, discrete gradient vs RK4.
  const int64_t n = a.dim / 2;
  auto S = torch::zeros({a.dim, a.dim}, opts);
  S.narrow(0, 0, n).narrow(1, n, n).copy_(torch::eye(n, opts));
  S.narrow(0, n, n).narrow(1, 0, n).copy_(-torch::eye(n, opts));
  auto field = [&](const torch::Tensor& x) { return torch::matmul(ad::gradient(H, x), S.t()); };
  auto u_dg = torch::randn({1, a.dim}, opts);
  auto u_rk = u_dg.clone();
  const double H0 = ad::energy(H, u_dg).item<double>();
  io::Series s_dg{"discrete gradient (implicit)", {}, {}}, s_rk{"RK4 with ∇H", {}, {}};
  double drift_dg = 0, drift_rk = 0;
  int newton_max = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int k = 1; k <= a.steps; ++k) {
    integrators::NewtonReport rep;
    u_dg = integrators::discrete_gradient_step(H, S, u_dg, a.dt, {}, &rep);
    newton_max = std::max(newton_max, rep.iterations);
    u_rk = integrators::rk4_step(field, u_rk, a.dt).detach();
    const double e_dg = std::abs(ad::energy(H, u_dg).item<double>() - H0) / std::abs(H0);
    const double e_rk = std::abs(ad::energy(H, u_rk).item<double>() - H0) / std::abs(H0);
    drift_dg = std::max(drift_dg, e_dg);
    drift_rk = std::max(drift_rk, e_rk);
    s_dg.x.push_back(k * a.dt);
    s_dg.y.push_back(std::max(e_dg, 1e-17));
    s_rk.x.push_back(k * a.dt);
    s_rk.y.push_back(std::max(e_rk, 1e-17));
    if (!common.json && (k % std::max(1, a.steps / 10) == 0 || k == a.steps)) {
      const double el =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      progress_line(fmt::format("  step {:>6}/{}  {:6.1f} steps/s  {:5.1f} s left", k, a.steps,
                                k / el, (a.steps - k) * el / k));
    }
  }
  if (!common.json) end_progress_line();

  if (!a.plot.empty()) {
    io::plot_lines(a.plot,
                   {fmt::format("Relative energy error of a random {}-{}-{}-1 {} network energy",
                                a.dim, a.width, a.width, a.activation),
                    "t", "|H(u(t)) - H(u(0))| / |H(u(0))|", true},
                   {s_dg, s_rk});
  }
  if (common.json) {
    JsonLine()
        .text("dtype", dtype_name(dtype))
        .number("chain_rule_rel_error", chain)
        .number("consistency_rel_error", consist)
        .number("symmetry_rel_error", sym)
        .count("steps", a.steps)
        .number("dt", a.dt)
        .number("energy_drift_discrete_gradient", drift_dg)
        .number("energy_drift_rk4", drift_rk)
        .count("newton_iterations_max", newton_max)
        .print();
  } else {
    fmt::print(
        "Automatic discrete differentiation, {} {}-{}-{}-1 {} MLP, {} pairs |u-v| in [1e-14, 1]\n",
        dtype_name(dtype), a.dim, a.width, a.width, a.activation, B);
    fmt::print("  discrete chain rule  max |H(u)-H(v) - dgrad.(u-v)| / |H| = {:.2e}\n", chain);
    fmt::print("  consistency          max |dgrad(u,u) - grad(u)| / |grad| = {:.2e}\n", consist);
    fmt::print("  symmetry             max |dgrad(v,u) - dgrad(u,v)| / |dgrad| = {:.2e}\n", sym);
    fmt::print("du/dt = S grad H, {} steps of dt = {}:\n", a.steps, a.dt);
    fmt::print("  max relative energy error  discrete gradient {:.2e}   RK4 {:.2e}\n", drift_dg,
               drift_rk);
    fmt::print("  Newton iterations per step at most {}\n", newton_max);
    if (!a.plot.empty()) fmt::print("  plot: {}\n", a.plot);
  }
  return 0;
}

}  // namespace

Action setup_demo(CLI::App& app, Common& common) {
  auto args = std::make_shared<DemoArgs>();
  app.add_option("--dim", args->dim, "State dimension (even)")->check(CLI::Range(2, 1 << 16));
  app.add_option("--width", args->width, "Hidden width")->check(CLI::Range(1, 1 << 15));
  app.add_option("--activation", args->activation, "Activation of the energy network");
  app.add_option("--dtype", args->dtype, "float64 or float32");
  app.add_option("--device", args->device, "cpu or cuda");
  app.add_option("--steps", args->steps, "Time steps");
  app.add_option("--dt", args->dt, "Time step");
  app.add_option("--seed", args->seed, "Random seed");
  app.add_option("--plot", args->plot, "Write the energy-error plot to this PNG")
      ->check(kOutputFile);
  app.add_flag("--json", common.json, "Print the metrics as JSON");
  return [args, &common] { return run_demo(*args, common); };
}

namespace {
const CommandRegistrar reg("demo",
                           "Discrete gradient of a random energy network and an "
                           "energy-conserving run",
                           setup_demo);
}  // namespace

}  // namespace enflow::cli

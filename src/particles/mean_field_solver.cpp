// Solver "mean_field": a wide two-layer network trained as particles following the Wasserstein
// gradient flow of the square loss (teacher–student, 2-D inputs by default), with optional
// weight decay and noise. Writes the loss history and final particles (CSV), metrics, the
// particle picture over time and the loss curves (PNG).
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "enflow/io/config.h"
#include "enflow/io/csv.h"
#include "enflow/io/key_reader.h"
#include "enflow/io/plot.h"
#include "enflow/io/plot_data.h"
#include "enflow/particles/mean_field.h"
#include "enflow/run.h"
#include "enflow/run_config.h"

namespace enflow::particles {
namespace {

/// Three teacher neurons (a, w₁, w₂) at well-separated directions, two positive, one negative.
std::vector<io::KeySpec> mean_field_key_specs() {
  auto specs = with_run_specs({
      {"teacher.neurons", "[float]", "[2.0, 1.0, 0.0, 1.5, -0.5, 0.9, -1.0, -0.4, -0.9]",
       "the teacher's neurons as (a, w1, w2) triples"},
      {"teacher.activation", "string", "relu", "activation of teacher and student"},
      {"data.n_train", "int", "1000", "training inputs"},
      {"data.n_test", "int", "10000", "test inputs"},
      {"data.noise", "float", "0", "label noise std"},
      {"student.particles", "int", "500", "student neurons (particles)"},
      {"student.init_std", "float", "1", "std of the initial particles"},
      {"flow.step", "float", "0.05", "time step tau of the particle flow"},
      {"flow.steps", "int", "2000", "steps"},
      {"flow.temperature", "float", "0", "noise temperature (0: gradient flow)"},
      {"flow.weight_decay", "float", "0", "L2 weight decay"},
      {"output.snapshots", "[int]", "[0, steps/20, steps/4, steps]", "steps of the snapshots"},
      {"output.test_every", "int", "10", "steps between test-loss evaluations"},
  });
  specs.push_back(run_threads_spec());
  return specs;
}

/// The effective neurons |a| w (a·σ(w·x) = sign(a) σ(|a| w·x) for the ReLU), split by sign(a).
std::vector<io::PointSet> neuron_clouds(const at::Tensor& th, const at::Tensor& teacher,
                                        bool legend) {
  auto a = th.select(1, 0), w = th.narrow(1, 1, 2);
  auto eff = a.abs().unsqueeze(1) * w;
  std::vector<io::PointSet> s;
  auto pos = a > 0;
  if (pos.any().item<bool>())
    s.push_back(io::point_set(legend ? "student, a > 0" : "", eff.index({pos}), "#d62728", 0.5));
  if ((~pos).any().item<bool>())
    s.push_back(io::point_set(legend ? "student, a < 0" : "", eff.index({~pos}), "#1f77b4", 0.5));
  auto ta = teacher.select(1, 0);
  s.push_back(io::point_set(legend ? "teacher |a*| w*" : "",
                            ta.abs().unsqueeze(1) * teacher.narrow(1, 1, 2), "black", 2.5));
  return s;
}

RunResult run_mean_field(const io::Config& cfg, const RunContext& ctx) {
  const io::KeyReader keys(cfg, mean_field_key_specs());
  const uint64_t seed = start_run(cfg, ctx);
  const auto o = run_tensor_options(cfg);
  const auto neurons = keys.get_doubles("teacher.neurons");
  if (neurons.empty() || neurons.size() % 3 != 0)
    throw std::invalid_argument(cfg.source() +
                                ": teacher.neurons must list (a, w1, w2) triples (2-D inputs)");
  auto teacher = torch::tensor(neurons, o).reshape({-1, 3});
  const std::string act = keys.get_string("teacher.activation");
  auto problem = teacher_student(teacher, act, keys.get_int("data.n_train"),
                                 keys.get_int("data.n_test"), keys.get_double("data.noise"));
  const int64_t m = keys.get_int("student.particles");
  const double init_std = keys.get_double("student.init_std");
  if (m < 1 || !(init_std > 0))
    throw std::invalid_argument(cfg.source() + ": student.particles >= 1, student.init_std > 0");
  auto init = init_std * torch::randn({m, 3}, o);
  const int64_t steps = keys.get_int("flow.steps");
  auto opts = MeanFieldOptions()
                  .step(keys.get_double("flow.step"))
                  .steps(steps)
                  .temperature(keys.get_double("flow.temperature"))
                  .weight_decay(keys.get_double("flow.weight_decay"))
                  .snapshots(keys.get_ints("output.snapshots", {0, steps / 20, steps / 4, steps}))
                  .test_every(keys.get_int("output.test_every"))
                  .on_progress(named(ctx.progress(), "step", "loss", "test"));
  const std::string name = keys.get_string("output.name", "mean_field");
  ctx.say(fmt::format(
      "mean-field two-layer {} network: {} particles, {} teacher neurons, {} steps of tau = {}",
      act, m, teacher.size(0), steps, opts.step()));
  auto r = mean_field_flow(problem, init, opts);
  int64_t increases = 0;
  for (size_t k = 1; k < r.train_loss.size(); ++k)
    increases += r.train_loss[k] > r.train_loss[k - 1];
  const double scale = 0.5 * problem.y_test.pow(2).mean().item<double>();  // loss of f = 0
  Report report(cfg, ctx.out_dir(), name);
  report.text("activation", act);
  report.count("particles", m);
  report.count("teacher_neurons", teacher.size(0));
  report.count("steps", steps);
  report.number("step", opts.step());
  report.number("temperature", opts.temperature());
  report.number("weight_decay", opts.weight_decay());
  report.count("seed", static_cast<int64_t>(seed));
  report.number("seconds", r.seconds);
  report.number("train_loss_initial", r.train_loss.front());
  report.number("train_loss_final", r.train_loss.back());
  report.number("test_loss_final", r.test_loss.back());
  report.number("test_loss_relative", r.test_loss.back() / scale);
  report.count("loss_increases", increases);
  auto hist = torch::stack(
      {torch::tensor(r.time, torch::kDouble), torch::tensor(r.train_loss, torch::kDouble)}, 1);
  io::write_csv(report.file_path("_loss.csv"),
                fmt::format("enflow solve mean_field: seed {}", seed), {"t", "train_loss"}, hist);
  io::write_csv(report.file_path("_particles.csv"),
                fmt::format("enflow solve mean_field: final particles, seed {}", seed),
                {"a", "w1", "w2"}, r.particles);
  if (report.plots()) {
    std::vector<io::Panel2d> panels;
    double box = 0;
    for (const auto& th : r.snapshots)
      box = std::max(
          box,
          (th.select(1, 0).abs().unsqueeze(1) * th.narrow(1, 1, 2)).abs().max().item<double>());
    for (size_t k = 0; k < r.snapshots.size(); ++k) {
      io::Panel2d p;
      p.title = fmt::format("t = {:.4g}", r.snapshot_steps[k] * opts.step());
      p.points = neuron_clouds(r.snapshots[k], teacher, k == 0);
      p.equal_axes = true;
      p.xmin = p.ymin = -1.05 * box;
      p.xmax = p.ymax = 1.05 * box;
      panels.push_back(p);
    }
    io::plot_panels(report.plot_path("particles"),
                    {fmt::format("Mean-field training: {} neurons as particles |a| w", m),
                     "|a| w_1", "|a| w_2", false, 420, 400},
                    panels, 4);
    io::plot_lines(report.plot_path("loss"),
                   {"Mean-field training: square loss", "t (flow time)", "loss", true},
                   {io::series_of("train", r.train_loss, r.time),
                    io::series_of("test", r.test_loss, r.test_time)});
  }
  return report.finish();
}

const SolverRegistrar mean_field_solver(
    "mean_field", {"Mean-field (Wasserstein) particle training of a two-layer network, "
                   "teacher-student in 2-D",
                   run_mean_field, /*sample_parallel=*/false, mean_field_key_specs});

}  // namespace
}  // namespace enflow::particles

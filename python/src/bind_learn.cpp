// Learned dynamics models: training, evaluation and prediction as the CLI runs them (the same
// library calls, learn/experiment.h), and a model object to step, roll out and inspect.
#include <fmt/core.h>
#include <torch/python.h>
#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "enflow/distributed/group.h"
#include "enflow/io/config.h"
#include "enflow/io/dataset.h"
#include "enflow/learn/experiment.h"
#include "enflow/learn/experiment_config.h"
#include "enflow/learn/model_io.h"
#include "enflow/models/stepper.h"
#include "enflow/run.h"
#include "enflow/run_config.h"

namespace enflow::python {

namespace {

using namespace pybind11::literals;

// A model with the config that built it (what a model file holds).
struct PyModel {
  learn::LoadedModel lm;
  models::DynamicsModelImpl& net() { return *lm.model; }
};

// States [..., d] of the model's dimension (data.dim: the grid points of a PDE model).
const at::Tensor& check_states(PyModel& m, const at::Tensor& u, const char* name) {
  const int64_t dim = m.lm.config.get_int("data.dim", 0);
  if (u.dim() < 1 || (dim > 0 && u.size(-1) != dim))
    throw std::invalid_argument(
        fmt::format("{} has shape {} but the model takes states of "
                    "dimension {} ([batch, {}])",
                    name, c10::str(u.sizes()), dim, dim));
  return u;
}

models::StepOptions step_options(const PyModel& m, const std::string& integrator,
                                 std::optional<double> newton_tol) {
  auto opts = learn::predict_step_options(m.lm.config);
  if (!integrator.empty()) opts.integrator(integrator);
  if (newton_tol) opts.newton_tol(*newton_tol);
  return opts;
}

learn::EvaluateRequest evaluate_request(const std::string& model, const std::string& data,
                                        std::shared_ptr<io::Dataset> dataset,
                                        const std::string& integrator,
                                        const std::string& step_integrator, int64_t steps,
                                        bool all_series, const std::string& dtype) {
  learn::EvaluateRequest q;
  q.model = model;
  q.data = data;
  q.dataset = std::move(dataset);
  q.integrator = integrator;
  q.step_integrator = step_integrator;
  q.steps = steps;
  q.all_series = all_series;
  q.dtype = dtype;
  return q;
}

}  // namespace

void bind_learn(py::module_& m) {
  using Release = py::call_guard<py::gil_scoped_release>;

  m.def(
      "train",
      [](const std::string& toml, const std::vector<std::string>& overrides,
         const std::string& source, std::shared_ptr<io::Dataset> data, bool resume,
         py::object progress, py::object log) {
        learn::TrainRequest request;
        request.resume = resume;
        request.dataset = std::move(data);
        const auto context =
            RunContext().progress(progress_callback(std::move(progress))).log(log_callback(log));
        py::gil_scoped_release release;
        // Data-parallel under torchrun, as `enflow train` (rank 0 writes the model).
        request.group = environment_group();
        auto result =
            learn::train_experiment(io::Config::parse(toml, overrides, source), request, context);
        // Every rank then loads the model file that rank 0 has written.
        if (request.group) request.group->barrier();
        return result;
      },
      "toml"_a, "overrides"_a, "source"_a, "dataset"_a, "resume"_a, "progress"_a, "log"_a);
  m.def(
      "evaluate",
      [](const std::string& model, const std::string& data, std::shared_ptr<io::Dataset> dataset,
         const std::string& integrator, const std::string& step_integrator, int64_t steps,
         bool all_series, const std::string& dtype) {
        return learn::evaluate_experiment(evaluate_request(model, data, std::move(dataset),
                                                           integrator, step_integrator, steps,
                                                           all_series, dtype));
      },
      "model"_a, "data"_a, "dataset"_a, "integrator"_a, "step_integrator"_a, "steps"_a,
      "all_series"_a, "dtype"_a, Release());
  m.def(
      "predict",
      [](const std::string& model, const std::string& data, std::shared_ptr<io::Dataset> dataset,
         const std::string& integrator, int64_t steps, bool all_series, const std::string& output,
         const std::string& plot_dir, const std::string& dtype) {
        return learn::predict_experiment(evaluate_request(model, data, std::move(dataset),
                                                          integrator, "", steps, all_series, dtype),
                                         output, plot_dir);
      },
      "model"_a, "data"_a, "dataset"_a, "integrator"_a, "steps"_a, "all_series"_a, "output"_a,
      "plot_dir"_a, "dtype"_a, Release());

  py::class_<PyModel, std::shared_ptr<PyModel>>(
      m, "Model", "A learned dynamics model with the config that built it.")
      .def_static(
          "load",
          [](const std::string& path) {
            return std::make_shared<PyModel>(PyModel{learn::load_model(path)});
          },
          "path"_a, Release())
      .def_static(
          "from_toml",
          [](const std::string& toml, const std::vector<std::string>& overrides,
             const std::string& source, int64_t dim, double dx) {
            auto cfg = io::Config::parse(toml, overrides, source);
            cfg.check_known(learn::experiment_config_keys());
            cfg.set("data.dim", std::to_string(dim));
            cfg.set("data.dx", fmt::format("{:.17g}", dx));
            // As train_experiment builds it: the same seed gives the same initial weights.
            torch::manual_seed(static_cast<uint64_t>(cfg.get_int("run.seed", 0)));
            auto model = models::make_model(learn::model_options_from_config(cfg, dim, dx));
            const auto o = run_tensor_options(cfg);
            model->to(o.device(), o.dtype().toScalarType());
            return std::make_shared<PyModel>(PyModel{{model, cfg}});
          },
          "toml"_a, "overrides"_a, "source"_a, "dim"_a, "dx"_a)
      .def(
          "save",
          [](PyModel& m, const std::string& path) {
            learn::save_model(path, m.net(), m.lm.config);
          },
          "path"_a, Release(), "Writes the model file (atomically) that the CLI reads.")
      .def_property_readonly("type", [](PyModel& m) { return m.net().type(); })
      .def_property_readonly("config", [](PyModel& m) { return m.lm.config.to_toml(); })
      .def_property_readonly("has_energy", [](PyModel& m) { return m.net().has_energy(); })
      .def(
          "parameters", [](PyModel& m) { return m.net().parameters(); },
          "The parameters (shared with the model).")
      .def(
          "energy",
          [](PyModel& m, const at::Tensor& u) {
            if (!m.net().has_energy())
              throw std::invalid_argument("a " + m.net().type() + " model has no energy");
            return ad::energy(m.net().energy_fn(), check_states(m, u, "u"));
          },
          "u"_a, Release(), "The learned energy H(u) for u [B, d]: [B].")
      .def(
          "time_derivative",
          [](PyModel& m, const at::Tensor& u, bool create_graph) {
            return m.net().time_derivative(check_states(m, u, "u"), create_graph);
          },
          "u"_a, "create_graph"_a = false, Release(), "The model's du/dt at u [B, d].")
      .def(
          "discrete_gradient",
          [](PyModel& m, const at::Tensor& u, const at::Tensor& v, bool create_graph) {
            if (!m.net().has_energy())
              throw std::invalid_argument("a " + m.net().type() + " model has no energy");
            const auto d = m.net().energy_derivatives().discrete_gradient(
                check_states(m, u, "u"), check_states(m, v, "v"), create_graph);
            return std::make_tuple(d.dgrad, d.H_u, d.H_v);
          },
          "u"_a, "v"_a, "create_graph"_a = false, Release(),
          "(∇̄H(u, v), H(u), H(v)) of the learned energy.")
      .def(
          "structure",
          [](PyModel& m) {
            if (!m.net().has_energy())
              throw std::invalid_argument("a " + m.net().type() + " model has no structure");
            return m.net().structure_matrix();
          },
          Release(), "The structure matrix G (dense).")
      .def(
          "step",
          [](PyModel& m, const at::Tensor& u, double dt, const std::string& integrator,
             std::optional<double> newton_tol) {
            // A prediction, not a graph: Newton's iterations are not differentiated through.
            return models::predict_step(m.net(), check_states(m, u, "u"), dt,
                                        step_options(m, integrator, newton_tol))
                .detach();
          },
          "u"_a, "dt"_a, "integrator"_a = "", "newton_tol"_a = py::none(), Release(),
          "One step from u [B, d] over dt (default scheme: the model type's); detached.")
      .def(
          "rollout",
          [](PyModel& m, const at::Tensor& u0, const at::Tensor& t, const std::string& integrator,
             std::optional<double> newton_tol) {
            return models::rollout(m.net(), check_states(m, u0, "u0"), t,
                                   step_options(m, integrator, newton_tol))
                .detach();
          },
          "u0"_a, "t"_a, "integrator"_a = "", "newton_tol"_a = py::none(), Release(),
          "States [B, T, d] at the time stamps t [T] from u0 [B, d] (t[0] is u0's time); "
          "detached.");
}

}  // namespace enflow::python

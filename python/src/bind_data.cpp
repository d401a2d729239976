// Datasets (the HDF5 files every command reads) and the reference systems that generate them.
#include <torch/python.h>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "enflow/io/dataset.h"
#include "enflow/systems/generate.h"
#include "enflow/systems/system.h"
#include "enflow/systems/system_registry.h"

namespace enflow::python {

namespace {

using namespace pybind11::literals;

py::dict protocol_dict(const systems::Protocol& p) {
  return py::dict("series"_a = p.series, "steps"_a = p.steps, "dt"_a = p.dt, "noise"_a = p.noise,
                  "train_fraction"_a = p.train_fraction, "source"_a = p.source);
}

}  // namespace

void bind_data(py::module_& m) {
  using Release = py::call_guard<py::gil_scoped_release>;

  py::class_<io::Dataset, std::shared_ptr<io::Dataset>>(
      m, "Dataset",
      "Trajectories: states [S, T, D] (float64), time stamps t [T] or [S, T], the series of "
      "the train and test splits, and what generated them.")
      .def(py::init<>())
      .def_readwrite("states", &io::Dataset::states)
      .def_readwrite("t", &io::Dataset::t)
      .def_readwrite("system", &io::Dataset::system)
      .def_readwrite("params", &io::Dataset::params)
      .def_readwrite("dt", &io::Dataset::dt, "time step; 0 for irregular time stamps")
      .def_readwrite("noise", &io::Dataset::noise)
      .def_readwrite("seed", &io::Dataset::seed)
      .def_readwrite("source", &io::Dataset::source)
      .def_readwrite("train", &io::Dataset::train)
      .def_readwrite("test", &io::Dataset::test)
      .def_readwrite("lengths", &io::Dataset::lengths,
                     "time points of each series when they differ (empty: all have T); rows "
                     "beyond a series' length repeat its last row")
      .def_readwrite("grid", &io::Dataset::grid,
                     "points per axis of a 2-D/3-D grid the states live on ([ny, nx] or "
                     "[nz, ny, nx], row-major); empty for ODEs and 1-D grids")
      .def("set_series", &io::set_ragged_series, "states"_a, "times"_a,
           "Sets states, t and lengths from series of different lengths: lists of [T_s, D] "
           "and [T_s] tensors.")
      .def(
          "save", [](const io::Dataset& d, const std::string& path) { io::save_dataset(path, d); },
          "path"_a, Release(), "Validates and writes an HDF5 file atomically.");
  m.def("load_dataset", &io::load_dataset, "path"_a, Release());

  m.def(
      "system_entries",
      [] {
        py::dict out;
        for (const auto& [name, e] : systems::system_entries()) {
          py::dict protocols;
          for (const auto& [variant, p] : e.protocols)
            protocols[py::str(variant)] = protocol_dict(p);
          out[py::str(name)] = py::dict("help"_a = e.help, "protocols"_a = protocols);
        }
        return out;
      },
      "Reference systems: name → {help, protocols}.");
  m.def(
      "system_info",
      [](const std::string& name, const systems::Params& params) {
        const auto s = systems::make_system(name, params);
        return py::dict("name"_a = s->name(), "dim"_a = s->dim(), "dx"_a = s->dx(),
                        "params"_a = s->parameters());
      },
      "name"_a, "params"_a = systems::Params{});
  m.def(
      "system_invariants",
      [](const std::string& name, const systems::Params& params, const at::Tensor& u) {
        const auto s = systems::make_system(name, params);
        return s->invariants(u.to(torch::kFloat64));
      },
      "name"_a, "params"_a, "u"_a, Release());
  m.def(
      "system_time_derivative",
      [](const std::string& name, const systems::Params& params, const at::Tensor& u) {
        const auto s = systems::make_system(name, params);
        return s->time_derivative(u.to(torch::kFloat64));
      },
      "name"_a, "params"_a, "u"_a, Release());
  m.def(
      "generate",
      [](const std::string& name, const std::string& variant, uint64_t seed,
         std::optional<int64_t> series, std::optional<int64_t> steps, std::optional<double> dt,
         std::optional<double> noise, std::optional<double> train_fraction,
         const systems::Params& params, py::object progress) {
        auto p = systems::default_protocol(name, variant);
        if (series) p.series = *series;
        if (steps) p.steps = *steps;
        if (dt) p.dt = *dt;
        if (noise) p.noise = *noise;
        if (train_fraction) p.train_fraction = *train_fraction;
        auto on_progress = progress_callback(std::move(progress));
        py::gil_scoped_release release;
        const auto system = systems::make_system(name, params);
        return std::make_shared<io::Dataset>(
            systems::generate_dataset(*system, p, seed, on_progress));
      },
      "system"_a, "variant"_a = "", "seed"_a = 0, "series"_a = py::none(), "steps"_a = py::none(),
      "dt"_a = py::none(), "noise"_a = py::none(), "train_fraction"_a = py::none(),
      "params"_a = systems::Params{}, "progress"_a = py::none());
}

}  // namespace enflow::python

// The run API (enflow/run.h): every registered solver from a config, its RunResult, the
// progress type, and the registries that list what can be named in a config.
#include <torch/python.h>
#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bindings.h"
#include "enflow/flows/evnn.h"
#include "enflow/geometry/structure.h"
#include "enflow/integrators/integrator_registry.h"
#include "enflow/io/config.h"
#include "enflow/models/model_registry.h"
#include "enflow/particles/svgd_setup.h"
#include "enflow/run.h"
#include "enflow/systems/system_registry.h"
#include "enflow/variational/committor.h"

namespace enflow::python {

namespace {

using namespace pybind11::literals;

template <class Entry>
std::map<std::string, std::string> helps() {
  std::map<std::string, std::string> out;
  for (const auto& [name, e] : Registry<Entry>::instance().entries()) out[name] = e.help;
  return out;
}

py::dict metrics_dict(const RunResult& r) {
  py::dict d;  // insertion-ordered: the order the run recorded
  for (const auto& [k, v] : r.metrics) {
    // Histories (energies, losses, errors per step) come back as float64 tensors.
    if (const auto* list = std::get_if<std::vector<double>>(&v))
      d[py::str(k)] = torch::tensor(*list, torch::kFloat64);
    else
      d[py::str(k)] = py::cast(v);
  }
  return d;
}

}  // namespace

void bind_run(py::module_& m) {
  py::class_<Progress>(m, "Progress", "One report of a long loop (training, a solver).")
      .def_readonly("iteration", &Progress::iteration)
      .def_readonly("iterations", &Progress::iterations, "the total (0: not known)")
      .def_readonly("loss", &Progress::loss)
      .def_readonly("metric", &Progress::metric)
      .def_readonly("seconds", &Progress::seconds)
      .def_readonly("start", &Progress::start)
      .def_readonly("note", &Progress::note)
      .def_property_readonly("what", [](const Progress& p) { return std::string(p.what); })
      .def_property_readonly("loss_name",
                             [](const Progress& p) { return std::string(p.loss_name); })
      .def_property_readonly("metric_name",
                             [](const Progress& p) { return std::string(p.metric_name); })
      .def("rate", &Progress::rate)
      .def("eta", &Progress::eta)
      .def("__repr__", [](const Progress& p) {
        std::string s = std::string("Progress(") + p.what + " " + std::to_string(p.iteration);
        if (p.iterations > 0) s += "/" + std::to_string(p.iterations);
        return s + ", " + p.loss_name + "=" + std::to_string(p.loss) + ")";
      });

  py::class_<RunResult>(m, "RunResult", py::dynamic_attr(),
                        "What a run returns: its name, metrics (in order) and files written.")
      .def_readonly("name", &RunResult::name)
      .def_property_readonly("metrics", &metrics_dict)
      .def_readonly("files", &RunResult::files)
      .def("number", &RunResult::number, "key"_a,
           "A numeric metric; IndexError naming a missing key.")
      .def("to_json", [](const RunResult& r) { return to_json(r); });

  m.def(
      "solve",
      [](const std::string& toml, const std::vector<std::string>& overrides,
         const std::string& source, const std::string& out_dir, int threads, py::object progress,
         py::object log) {
        auto context = RunContext()
                           .out_dir(out_dir)
                           .threads(threads)
                           .progress(progress_callback(std::move(progress)))
                           .log(log_callback(std::move(log)));
        py::gil_scoped_release release;
        context.group(environment_group());  // sample-parallel under torchrun
        return solve(io::Config::parse(toml, overrides, source), context);
      },
      "toml"_a, "overrides"_a, "source"_a, "out_dir"_a, "threads"_a, "progress"_a, "log"_a);

  m.def("registries", [] {
    return std::map<std::string, std::map<std::string, std::string>>{
        {"solvers", helps<SolverEntry>()},
        {"systems", helps<systems::SystemEntry>()},
        {"model_types", helps<models::ModelTypeEntry>()},
        {"energy_networks", helps<models::EnergyNetworkEntry>()},
        {"structures", helps<geometry::StructureEntry>()},
        {"integrators", helps<integrators::IntegratorEntry>()},
        {"evnn_problems", helps<flows::EvnnProblemEntry>()},
        {"committor_problems", helps<variational::CommittorProblemEntry>()},
        {"svgd_targets", helps<particles::SvgdTargetEntry>()},
    };
  });
}

}  // namespace enflow::python

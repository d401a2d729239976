// Potential-flow model files: parameters, the options that shape them, and the training config
// (for provenance: seed, data, schedule) in one LibTorch archive, written atomically.
#include <torch/torch.h>

#include <stdexcept>

#include "enflow/io/archive_file.h"
#include "enflow/particles/potential_flow.h"

namespace enflow::particles {
namespace {
const char* kFormat = "enflow-potential-flow-1";
}

void save_potential_flow(const std::string& path, PotentialFlowImpl& model,
                         const std::string& config_text) {
  const auto& o = model.options();
  torch::serialize::OutputArchive ar, m;
  model.save(m);
  ar.write("model", m);
  ar.write("format", c10::IValue(std::string(kFormat)));
  ar.write("config", c10::IValue(config_text));
  ar.write("dim", c10::IValue(o.dim()));
  ar.write("width", c10::IValue(o.width()));
  ar.write("depth", c10::IValue(o.depth()));
  ar.write("time_dependent", c10::IValue(o.time_dependent()));
  ar.write("horizon", c10::IValue(o.horizon()));
  ar.write("steps", c10::IValue(o.steps()));
  io::write_archive_atomically(path, ar);
}

LoadedPotentialFlow load_potential_flow(const std::string& path) {
  const std::string bad = "'" + path + "' is not an enflow potential-flow model file";
  torch::serialize::InputArchive ar;
  io::read_archive(path, ar, "an enflow potential-flow model file");
  c10::IValue format, config, dim, width, depth, time_dep, horizon, steps;
  if (!ar.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat ||
      !ar.try_read("config", config) || !ar.try_read("dim", dim) || !ar.try_read("width", width) ||
      !ar.try_read("depth", depth) || !ar.try_read("time_dependent", time_dep) ||
      !ar.try_read("horizon", horizon) || !ar.try_read("steps", steps))
    throw std::runtime_error(bad);
  LoadedPotentialFlow r;
  r.config_text = config.toStringRef();
  r.model = PotentialFlow(PotentialFlowOptions(dim.toInt())
                              .width(width.toInt())
                              .depth(depth.toInt())
                              .time_dependent(time_dep.toBool())
                              .horizon(horizon.toDouble())
                              .steps(steps.toInt()));
  torch::serialize::InputArchive m;
  if (!ar.try_read("model", m)) throw std::runtime_error(bad);
  io::load_module_checked(*r.model, m, "'" + path + "'");
  return r;
}

}  // namespace enflow::particles

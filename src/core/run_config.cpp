#include "enflow/run_config.h"

#include <torch/torch.h>

#include <stdexcept>

#include "enflow/io/config.h"
#include "enflow/run.h"
#include "enflow/runtime.h"

namespace enflow {

std::vector<io::KeySpec> with_run_specs(std::vector<io::KeySpec> specs) {
  specs.insert(specs.end(),
               {{"problem.kind", "string", "", "the solver (enflow solve --list)"},
                {"output.name", "string", "",
                 "the run's name: files <out>/<name>.* (default: "
                 "the solver's, from the problem)"},
                {"output.plot", "bool", "true", "write PNG plots (needs gnuplot)"},
                {"run.dtype", "string", "float64", "float32 | float64"},
                {"run.device", "string", "cpu", "cpu | cuda"},
                {"run.seed", "int", "0", "seed of the network's weights and the samples"}});
  return specs;
}

io::KeySpec run_threads_spec(int default_threads) {
  return {"run.threads", "int", std::to_string(default_threads),
          "CPU threads (the command's --threads wins)"};
}

c10::TensorOptions run_tensor_options(const io::Config& c) {
  return torch::TensorOptions()
      .dtype(parse_dtype(c.get_string("run.dtype", "float64")))
      .device(parse_device(c.get_string("run.device", "cpu")));
}

void apply_run_threads(const io::Config& c, const RunContext& context, int default_threads) {
  init_threads(context.threads() > 0 ? context.threads()
                                     : static_cast<int>(c.get_int("run.threads", default_threads)));
}

uint64_t start_run(const io::Config& c, const RunContext& context, const std::string& seed_key,
                   int default_threads) {
  apply_run_threads(c, context, default_threads);
  const int64_t seed = c.get_int(seed_key, 0);
  if (seed < 0) throw std::invalid_argument(c.source() + ": " + seed_key + " must be >= 0");
  torch::manual_seed(static_cast<uint64_t>(seed));
  return static_cast<uint64_t>(seed);
}

}  // namespace enflow

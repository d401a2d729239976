#include "enflow/run_config.h"

#include <torch/torch.h>

#include <stdexcept>

#include "enflow/io/config.h"
#include "enflow/run.h"
#include "enflow/runtime.h"

namespace enflow {

std::vector<std::string> with_run_keys(std::vector<std::string> keys) {
  for (const char* k : {"problem.kind", "output.name", "output.plot", "run.device", "run.dtype"})
    keys.push_back(k);
  return keys;
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

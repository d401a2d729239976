// The config vocabulary every solver run shares: the tensor type and device, threads and
// seed, the output name and plots. Read here once, so that each solver reads only its own
// keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "enflow/io/key_spec.h"

namespace c10 {
struct TensorOptions;
}

namespace enflow {

namespace io {
class Config;
}
struct RunContext;

/// `specs` plus the keys every solver accepts: problem.kind, output.name (default computed by
/// the solver), output.plot, run.dtype, run.device and run.seed.
std::vector<io::KeySpec> with_run_specs(std::vector<io::KeySpec> specs);
/// run.threads with the solver's default thread count (for solvers that call start_run).
io::KeySpec run_threads_spec(int default_threads = 1);

/// run.dtype (default float64) and run.device (default cpu).
c10::TensorOptions run_tensor_options(const io::Config& config);

/// Applies the threads: the context's, else run.threads, else `default_threads`.
void apply_run_threads(const io::Config& config, const RunContext& context,
                       int default_threads = 1);

/// apply_run_threads, then seeds the global generator with `seed_key` (default 0, must be
/// >= 0); returns the seed.
uint64_t start_run(const io::Config& config, const RunContext& context,
                   const std::string& seed_key = "run.seed", int default_threads = 1);

}  // namespace enflow

// `enflow info`: what this build computes with — versions, CPU, LibTorch's threads, the
// BLAS that was loaded and its threads, the allocator setting, CUDA devices. Timings and
// bench-compare reports quote it, since a rate means little without the BLAS behind it.
#include <fmt/core.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "commands.h"
#include "enflow/runtime.h"
#include "run_output.h"

namespace enflow::cli {

namespace {

int run_info(const Common& common) {
  const auto r = runtime_info();  // main() has run init_threads(--threads)
  if (common.json) {
    return JsonLine()
        .text("enflow", r.enflow_version)
        .text("libtorch", r.libtorch_version)
        .text("cpu", r.cpu)
        .count("cores", r.cores)
        .count("threads", r.threads)
        .text("blas", r.blas)
        .text("blas_threading", r.blas_threading)
        .text("blas_library", r.blas_library)
        .text("blas_config", r.blas_config)
        .count("blas_threads", r.blas_threads)
        .flag("allocator_tuned", r.allocator_tuned)
        .count("cuda_device_count", static_cast<int64_t>(r.cuda_devices.size()))
        .text("cuda_devices", fmt::format("{}", fmt::join(r.cuda_devices, "; ")))
        .print();
  }
  fmt::print("enflow     {} (LibTorch {})\n", r.enflow_version, r.libtorch_version);
  fmt::print("cpu        {}, {} hardware threads\n", r.cpu.empty() ? "unknown" : r.cpu, r.cores);
  fmt::print("threads    {} (LibTorch intra-op)\n", r.threads);
  if (r.blas.empty()) {
    fmt::print("blas       not OpenBLAS (MKL or none); its threads follow LibTorch's\n");
  } else {
    fmt::print("blas       {} ({} build), {} thread{}\n", r.blas, r.blas_threading, r.blas_threads,
               r.blas_threads == 1 ? "" : "s");
    fmt::print("           {}\n", r.blas_library);
    if (!r.blas_config.empty()) fmt::print("           {}\n", r.blas_config);
  }
  fmt::print("allocator  {}\n", r.allocator_tuned
                                    ? "large buffers kept in the heap (ENFLOW_MALLOC_TUNING=0: off)"
                                    : "glibc defaults");
  fmt::print("cuda       {}\n", r.cuda_devices.empty()
                                    ? "not available"
                                    : fmt::format("{}", fmt::join(r.cuda_devices, ", ")));
  return 0;
}

Action setup_info(CLI::App& app, Common& common) {
  app.add_flag("--json", common.json, "Print as JSON");
  return [&common] { return run_info(common); };
}

const CommandRegistrar reg("info",
                           "Versions, threads, the BLAS loaded and CUDA devices of this build",
                           setup_info);

}  // namespace

}  // namespace enflow::cli

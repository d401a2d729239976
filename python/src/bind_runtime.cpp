// Threads, BLAS and allocator: the settings `enflow` applies to itself (runtime.h), for the
// Python process. The package applies init_threads() on import, so a run from Python
// computes as the command line does.
#include <torch/python.h>

#include "bindings.h"
#include "enflow/runtime.h"

namespace enflow::python {

namespace {
using namespace pybind11::literals;
}  // namespace

void bind_runtime(py::module_& m) {
  m.def("init_threads", &init_threads, "requested"_a = 0,
        "Sets LibTorch's and OpenBLAS's threads (requested > 0, else ENFLOW_NUM_THREADS, "
        "OMP_NUM_THREADS, the cores) and tunes glibc's allocator once; returns the count.");
  m.def("runtime_info", [] {
    const auto r = runtime_info();
    return py::dict("enflow_version"_a = r.enflow_version,
                    "libtorch_version"_a = r.libtorch_version, "cpu"_a = r.cpu, "cores"_a = r.cores,
                    "threads"_a = r.threads, "blas"_a = r.blas,
                    "blas_threading"_a = r.blas_threading, "blas_library"_a = r.blas_library,
                    "blas_config"_a = r.blas_config, "blas_threads"_a = r.blas_threads,
                    "allocator_tuned"_a = r.allocator_tuned, "cuda_devices"_a = r.cuda_devices);
  });
}

}  // namespace enflow::python

// The Python extension enflow._core, one file per library area. The package's Python
// modules (python/enflow) turn arguments into these functions' plain types (dicts into TOML,
// numpy arrays into tensors, torch.dtype into names) and wrap the results.
#pragma once

#include <pybind11/pybind11.h>

#include <functional>
#include <memory>
#include <string>

#include "enflow/progress.h"

namespace enflow::distributed {
class Group;
}

namespace enflow::python {

namespace py = pybind11;

void bind_nn(py::module_& m);       // energy networks, the discrete gradient
void bind_data(py::module_& m);     // datasets, reference systems
void bind_learn(py::module_& m);    // models: train, evaluate, predict, load, save
void bind_run(py::module_& m);      // solvers, results, registries, progress
void bind_runtime(py::module_& m);  // threads, BLAS, allocator

/// A progress callback for the library that calls `callback` (a Python callable taking an
/// enflow.Progress, or None) with the GIL held, and first raises a pending Ctrl-C as
/// KeyboardInterrupt through the C++ loop. Copies need no GIL (the library copies it with
/// the GIL released).
ProgressFn progress_callback(py::object callback);
/// The same for one-line status messages (str → None).
std::function<void(const std::string&)> log_callback(py::object callback);

/// The process group of a script launched by torchrun (RANK, WORLD_SIZE, MASTER_ADDR,
/// MASTER_PORT; docs/distributed.md), connected at its first train or solve call and kept
/// for the others (one rendezvous per process); null for one process.
std::shared_ptr<distributed::Group> environment_group();

}  // namespace enflow::python

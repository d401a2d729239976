// Calling Python from the library's loops, which run with the GIL released.
#include <torch/python.h>

#include <memory>
#include <utility>

#include "bindings.h"

namespace enflow::python {

namespace {

// A Python object whose shared_ptr copies touch no reference count; the last copy drops
// the object with the GIL held, whichever thread that is.
std::shared_ptr<py::object> hold(py::object o) {
  return std::shared_ptr<py::object>(new py::object(std::move(o)), [](py::object* p) {
    py::gil_scoped_acquire gil;
    delete p;
  });
}

// Runs Python's signal handlers: Ctrl-C becomes a KeyboardInterrupt that unwinds the C++
// loop (py::error_already_set) and reaches the caller as itself.
void raise_pending_signals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

}  // namespace

ProgressFn progress_callback(py::object callback) {
  auto f = hold(std::move(callback));
  return [f](const Progress& p) {
    py::gil_scoped_acquire gil;
    raise_pending_signals();
    if (!f->is_none()) (*f)(p);
  };
}

std::function<void(const std::string&)> log_callback(py::object callback) {
  auto f = hold(std::move(callback));
  return [f](const std::string& line) {
    py::gil_scoped_acquire gil;
    raise_pending_signals();
    if (!f->is_none()) (*f)(line);
  };
}

}  // namespace enflow::python
